"""The op table: the one source of every public op's surface.

Each :class:`Op` row gives an op's name, the kernel rows (ufuncs) it calls, its
parameters with defaults and validation rules, its ``from_output`` rule, the
parts of its docstrings, and its PyTorch and NumPy peers.  From it come (see
:mod:`relukit._opgen`):

- the CPU wrappers (:mod:`relukit._api`) and the relukit.cuda wrappers;
- the ufunc docstrings (:mod:`relukit._docs`);
- the type stubs' generated block (``relukit/__init__.pyi``) and the README's API
  table, both checked equal to the generator's output by the tests
  (``python -m relukit optable --write`` rewrites them);
- ``relukit.__all__``, the test parameters (``_reference.SAMPLE_PARAMS``) and the
  benchmark peers (``_peers.PEERS``).

The C side keeps ``src/kernels.inc`` as its list of kernel rows (one row per
(op, direction), read by the C preprocessor in every family file, the dispatch
table and the standalone C checks, which build without Python).  A test checks
the two lists against each other: every row named here exists in kernels.inc,
and every kernels.inc row is called by some op here.

Kinds of op:

``plain``
    No parameter: the op is its ufunc behind a thin function (``x=``,
    ``inplace=``, the ufunc's attributes), its backward a wrapper adding
    ``from_output``.
``param``
    Numeric parameters (scalars or arrays broadcasting against x on the CPU,
    scalars on the GPU), validated before anything is computed.
``choice``
    One string parameter picking the kernel rows (gelu's ``approximate``).
``custom``
    Written by hand (prelu, rrelu, the gated family): the row still gives the
    docs' parts, the peers and the README line.
"""
import math

import numpy as np

import relukit  # (the package, being initialized: its ops are looked up at call time)

REQUIRED = object()  # a parameter without default


class Param:
    """A numeric parameter: `name`, `default` (REQUIRED: none), `doc` (the
    forward's words), `nonzero` (0 is rejected)."""
    __slots__ = ("name", "default", "doc", "nonzero")

    def __init__(self, name, default=REQUIRED, doc="", nonzero=False):
        self.name, self.default, self.doc, self.nonzero = name, default, doc, nonzero


class FromOutput:
    """A backward's ``from_output`` rule.

    ufunc
        The ufunc computing the gradient from the output (None: the backward's
        own ufunc, exact on the output too).
    formula
        Its formula (for its docstring), when it is a ufunc of its own.
    require
        None, or ``(param, rule)``: rule ``">="`` (param >= 0), ``">"`` (param
        > 0), or ``"value<="`` (the keyword ``value`` given and <= param).
    readme
        The README's words, if not the generated ones.
    doc
        More words for the backward's docstring.
    """
    __slots__ = ("ufunc", "formula", "require", "readme", "doc")

    def __init__(self, ufunc=None, formula="", require=None, readme="", doc=""):
        self.ufunc, self.formula, self.require, self.readme = ufunc, formula, require, readme
        self.doc = doc  # more words for the backward's docstring


class NoFromOutput:
    """``from_output=True`` is rejected: `why` the input cannot be recovered."""
    __slots__ = ("why", "what")

    def __init__(self, why="its input cannot be recovered from its output", what=None):
        self.why, self.what = why, what


class Op:
    """One public op (forward and backward); see the module's docstring."""

    def __init__(self, name, kind, summary, formula, bsummary, bformula, *, params=(),
                 notes="", bnotes="", bwd_params=None, bwd_kwonly=(), ordered=None,
                 from_output=None, choice=None, alias=None, readme=None, wrapper_doc="",
                 bwrapper_doc="", peers=None, sample=None, bsample=None, acc=None, ulp=(0, 0, 0), bulp=None):
        self.name, self.kind = name, kind
        self.summary, self.formula, self.notes = summary, formula, notes
        self.bsummary, self.bformula, self.bnotes = bsummary, bformula, bnotes
        self.params = tuple(params)
        names = [p.name for p in self.params]
        self.bwd_params = tuple(p for p in self.params if bwd_params is None or p.name in bwd_params)
        self.bwd_kwonly = tuple(bwd_kwonly)  # keyword-only extras of the backward (threshold's value)
        self.ordered = ordered  # (lo, hi): lo <= hi elementwise
        assert ordered is None or all(n in names for n in ordered)
        self.from_output = from_output if from_output is not None else NoFromOutput()
        self.choice = choice  # (param name, default, {value: (forward ufunc, backward ufunc)}, doc)
        self.alias = alias
        self.readme = readme  # custom ops: (forward, formula, backward, from_output) of the README
        self.wrapper_doc, self.bwrapper_doc = wrapper_doc, bwrapper_doc  # custom ops' extra words
        self.peers = peers or {}
        self.sample, self.bsample = sample, bsample  # test parameters of the ufuncs
        self.acc = acc  # the README's accuracy words, if not the bounds below
        # published accuracy (float16, float32, float64), in ULP of the result against the
        # float64 reference rounded to its dtype (0: bit-exact): the forward's and the
        # backward's (bulp; default: the forward's), from_output's as the backward's
        self.ulp, self.bulp = ulp, bulp if bulp is not None else ulp

    @property
    def backward(self):
        return self.name + "_backward"

    def ufuncs(self):
        """The ufuncs this op calls: forward, backward, from_output."""
        if self.choice is not None:
            return [u for pair in self.choice[2].values() for u in pair]
        names = [self.name, self.backward]
        if isinstance(self.from_output, FromOutput) and self.from_output.ufunc:
            names.append(self.from_output.ufunc)
        return names


def _sig(x):
    return 1 / (1 + np.exp(-x))


_erf = np.vectorize(math.erf, otypes=[np.float64])
_K = math.sqrt(2 / math.pi)
SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805


def _np_gelu(x):
    return (0.5 * x * (1 + _erf(x / math.sqrt(2)))).astype(x.dtype)


def _np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(_K * (x + 0.044715 * x ** 3)))


def _np_gelu_tanh_bwd(x, g):
    u = _K * (x + 0.044715 * x ** 3)
    t = np.tanh(u)
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _K * (1 + 3 * 0.044715 * x * x))


def _rk(name, *params, **kw):
    """relukit's op `name` with fixed parameters: f(x, out) (the op looked up at call)."""
    def call(x, out):
        return getattr(relukit, name)(x, *params, out=out, **kw)
    return call


def _rkb(name, *params, **kw):
    """relukit's backward `name` with fixed parameters: f(x, g, out)."""
    def call(x, g, out):
        return getattr(relukit, name)(g, x, *params, out=out, **kw)
    return call


# Peers per benchmark name: (uses g?, relukit(x[, g], out), numpy(x[, g]),
# torch(F, aten, t[, tg]) or None); F = torch.nn.functional, aten = torch.ops.aten
def _fwd_peer(rk, npf, tf):
    return (False, rk, npf, tf)


def _bwd_peer(rk, npf, tf):
    return (True, rk, npf, tf)


_X_SIG = "x : array_like\n    Input."

OPS = (
    # ------------------------------------------------------------ piecewise
    Op("relu", "plain", "Rectified linear unit, elementwise.", "y = x < 0 ? 0 : x",
       "Gradient of relu.", "g where x > 0, NaN where x is NaN, else 0",
       notes="Exact. NaN stays NaN (payload kept), -0.0 stays -0.0. Integer inputs keep their dtype.",
       bnotes="relu'(0) = 0, as PyTorch. ``relu(x)`` may be passed for ``x`` (exact).",
       from_output=FromOutput(readme="`from_output=True` (exact)"),
       peers={"relu": _fwd_peer(_rk("relu"), lambda x: np.maximum(x, 0), lambda F, a, t: F.relu(t)),
              "relu_backward": _bwd_peer(_rkb("relu_backward"), lambda x, g: np.where(x > 0, g, 0),
                                         lambda F, a, t, tg: a.threshold_backward(tg, t, 0))}),
    Op("relu6", "plain", "ReLU capped at 6, elementwise.", "y = min(max(x, 0), 6)",
       "Gradient of relu6.", "g where 0 < x < 6, NaN where x is NaN, else 0",
       notes="Exact. NaN stays NaN, -0.0 stays -0.0.",
       bnotes="relu6'(0) = relu6'(6) = 0, as PyTorch. ``relu6(x)`` may be passed for ``x`` (exact).",
       from_output=FromOutput(),
       peers={"relu6": _fwd_peer(_rk("relu6"), lambda x: np.clip(x, 0, 6), lambda F, a, t: F.relu6(t)),
              "relu6_backward": _bwd_peer(_rkb("relu6_backward"), lambda x, g: np.where((x > 0) & (x < 6), g, 0),
                                          lambda F, a, t, tg: a.hardtanh_backward(tg, t, 0.0, 6.0))}),
    Op("hardtanh", "param", "Hard tanh: x clipped to [min_val, max_val].",
       "y = x < min_val ? min_val : (x > max_val ? max_val : x)",
       "Gradient of hardtanh.", "g where min_val < x < max_val, NaN where x is NaN, else 0",
       params=(Param("min_val", -1.0, "Lower bound (default -1)."),
               Param("max_val", 1.0, "Upper bound (default 1).")),
       ordered=("min_val", "max_val"), notes="Exact.", bnotes="Zero at both kinks, as PyTorch.",
       from_output=FromOutput(),
       sample=(-1.0, 1.0), bsample=(-0.5, 2.0),
       peers={"hardtanh": _fwd_peer(_rk("hardtanh"), lambda x: np.clip(x, -1, 1), lambda F, a, t: F.hardtanh(t)),
              "hardtanh_backward": _bwd_peer(_rkb("hardtanh_backward"),
                                             lambda x, g: np.where((x > -1) & (x < 1), g, 0),
                                             lambda F, a, t, tg: a.hardtanh_backward(tg, t, -1.0, 1.0))}),
    Op("threshold", "param", "Threshold: x where x > threshold, else value.", "y = x <= threshold ? value : x",
       "Gradient of threshold.", "g where x > threshold, NaN where x is NaN, else 0",
       params=(Param("threshold", doc="The threshold."), Param("value", doc="The replacement value.")),
       bwd_params=("threshold",), bwd_kwonly=("value",), notes="Exact. NaN stays NaN.",
       from_output=FromOutput(require=("threshold", "value<="),
                              readme="`from_output=True, value=` when `value <= threshold`"),
       sample=(0.25, -3.0), bsample=(0.25,),
       peers={"threshold": _fwd_peer(_rk("threshold", 0.5, -1.0),
                                     lambda x: np.where(x <= 0.5, x.dtype.type(-1), x),
                                     lambda F, a, t: F.threshold(t, 0.5, -1.0)),
              "threshold_backward": _bwd_peer(_rkb("threshold_backward", 0.5), lambda x, g: np.where(x > 0.5, g, 0),
                                              lambda F, a, t, tg: a.threshold_backward(tg, t, 0.5))}),
    Op("leaky_relu", "param", "Leaky ReLU.", "y = x < 0 ? x * negative_slope : x",
       "Gradient of leaky_relu.", "g where x > 0, NaN where x is NaN, else g * negative_slope",
       params=(Param("negative_slope", 0.01, "Slope for x < 0 (default 0.01)."),),
       notes="Exact: the product is rounded once (the slope is first rounded to x's dtype).",
       bnotes="leaky_relu'(0) = negative_slope, as PyTorch.",
       from_output=FromOutput(require=("negative_slope", ">=")),
       sample=(0.01,), bsample=(0.2,),
       peers={"leaky_relu": _fwd_peer(_rk("leaky_relu"), lambda x: np.where(x < 0, x * x.dtype.type(0.01), x),
                                      lambda F, a, t: F.leaky_relu(t)),
              "leaky_relu_backward": _bwd_peer(_rkb("leaky_relu_backward"),
                                               lambda x, g: np.where(x > 0, g, g * g.dtype.type(0.01)),
                                               lambda F, a, t, tg: a.leaky_relu_backward(tg, t, 0.01, False))}),
    Op("prelu", "custom", "Parametric ReLU: one slope per channel.", "y = x < 0 ? x * weight[c] : x",
       "Gradients of prelu with respect to x and weight.", "g where x > 0, else g * weight[c]",
       readme=("prelu(x, weight, axis=1)",
               "leaky ReLU with one slope per channel (`weight` scalar or 1-D of length `x.shape[axis]`)",
               "`prelu_backward(g, x, weight, axis=1)` -> `(grad_x, grad_weight)`, `grad_weight` summed "
               "over every other axis blockwise (no temporary the size of `x`); `out=(grad_x, grad_weight)` "
               "preallocates both (either may be None)", "no"),
       peers={"prelu": _fwd_peer(_rk("prelu", 0.25), lambda x: np.where(x < 0, x * x.dtype.type(0.25), x),
                                 lambda F, a, t: F.prelu(t, t.new_full((1,), 0.25)))}),
    Op("rrelu", "custom", "Randomized leaky ReLU.", "y = x < 0 ? x * slope : x",
       "Gradient of rrelu in training mode.", "g * noise where x <= 0, else g",
       readme=("rrelu(x, lower=1/8, upper=1/3, training=False, rng=None)",
               "eval: leaky ReLU with slope `(lower+upper)/2`; training: a slope from U(lower, upper) for "
               "every `x <= 0` (0 included, as torch), drawn with the NumPy Generator `rng` (or a seed), "
               "returns `(y, noise)`, `noise` of `y`'s kind (xarray, pandas)",
               "`rrelu_backward(g, x, noise)` = `g * noise`", "no"),
       peers={"rrelu": _fwd_peer(_rk("rrelu"),
                                 lambda x: np.where(x < 0, x * x.dtype.type((1 / 8 + 1 / 3) / 2), x),
                                 lambda F, a, t: F.rrelu(t, training=False))}),
    Op("hardsigmoid", "plain", "Hard sigmoid.", "y = x <= -3 ? 0 : (x >= 3 ? 1 : (x + 3) / 6)",
       "Gradient of hardsigmoid.", "g / 6 where -3 < x < 3, NaN where x is NaN, else 0",
       notes="<= 1 ULP.", bnotes="Zero at both kinks, as PyTorch.",
       from_output=FromOutput("hardsigmoid_backward_from_output", "g / 6 where 0 < y < 1, else 0",
                              readme="`from_output=True` (except where `y` rounded to 0 or 1)"),
       ulp=(1, 1, 1), bulp=(1, 0, 0),
       peers={"hardsigmoid": _fwd_peer(_rk("hardsigmoid"), lambda x: np.clip(x + 3, 0, 6) / 6,
                                       lambda F, a, t: F.hardsigmoid(t)),
              "hardsigmoid_backward": _bwd_peer(_rkb("hardsigmoid_backward"),
                                                lambda x, g: np.where((x > -3) & (x < 3), g / 6, 0),
                                                lambda F, a, t, tg: a.hardsigmoid_backward(tg, t))}),
    Op("hardswish", "plain", "Hard swish.", "y = x <= -3 ? -0.0 : (x >= 3 ? x : x * (x + 3) / 6)",
       "Gradient of hardswish.", "0 where x <= -3, g where x >= 3, else g * (2x + 3) / 6; NaN where x is NaN",
       notes="<= 2 ULP. hardswish(-inf) = -0.0 (PyTorch returns NaN).",
       bnotes="hardswish'(-3) = 0, hardswish'(3) = 1, as PyTorch.",
       ulp=(1, 2, 2),
       peers={"hardswish": _fwd_peer(_rk("hardswish"), lambda x: x * np.clip(x + 3, 0, 6) / 6,
                                     lambda F, a, t: F.hardswish(t)),
              "hardswish_backward": _bwd_peer(_rkb("hardswish_backward"),
                                              lambda x, g: np.where(x < -3, 0, np.where(x <= 3, g * (2 * x + 3) / 6, g)),
                                              lambda F, a, t, tg: a.hardswish_backward(tg, t))}),
    # ------------------------------------------------------------ exponential
    Op("elu", "param", "Exponential linear unit.", "y = x > 0 ? x : alpha * expm1(x)",
       "Gradient of elu.", "g where x > 0, else g * alpha * exp(x)",
       params=(Param("alpha", 1.0, "Scale of the negative branch (default 1)."),),
       notes="elu(-inf) = -alpha.", bnotes="elu'(0) from the negative branch, as PyTorch.",
       from_output=FromOutput("elu_backward_from_output", "g where y > 0, else g * (y + alpha)",
                              require=("alpha", ">=")),
       sample=(1.0,), bsample=(1.0,),
       ulp=(1, 2, 4),
       peers={"elu": _fwd_peer(_rk("elu"), lambda x: np.where(x > 0, x, np.expm1(x)), lambda F, a, t: F.elu(t)),
              "elu_backward": _bwd_peer(_rkb("elu_backward"), lambda x, g: np.where(x > 0, g, g * np.exp(x)),
                                        lambda F, a, t, tg: a.elu_backward(tg, 1.0, 1.0, 1.0, False, t))}),
    Op("celu", "param", "Continuously differentiable ELU.", "y = x > 0 ? x : alpha * expm1(x / alpha)",
       "Gradient of celu.", "g where x > 0, else g * exp(x / alpha)",
       params=(Param("alpha", 1.0, "Scale (default 1), not 0.", nonzero=True),),
       from_output=FromOutput("celu_backward_from_output", "g where y > 0, else g * (y / alpha + 1)",
                              require=("alpha", ">")),
       sample=(1.0,), bsample=(1.0,),
       ulp=(1, 2, 4),
       peers={"celu": _fwd_peer(_rk("celu", 1.0), lambda x: np.where(x > 0, x, np.expm1(x)),
                                lambda F, a, t: F.celu(t)),
              "celu_backward": _bwd_peer(_rkb("celu_backward", 1.0), lambda x, g: np.where(x > 0, g, g * np.exp(x)),
                                         lambda F, a, t, tg: a.elu_backward(tg, 1.0, 1.0, 1.0, False, t))}),
    Op("selu", "plain", "Scaled ELU with PyTorch's constants.", "y = scale * (x > 0 ? x : alpha * expm1(x))",
       "Gradient of selu.", "g * scale where x > 0, else g * scale * alpha * exp(x)",
       notes="alpha = 1.6732632423543772, scale = 1.0507009873554805.",
       from_output=FromOutput("selu_backward_from_output", "g * scale where y > 0, else g * (y + scale * alpha)"),
       ulp=(1, 2, 4),
       peers={"selu": _fwd_peer(_rk("selu"), lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)),
                                lambda F, a, t: F.selu(t)),
              "selu_backward": _bwd_peer(_rkb("selu_backward"),
                                         lambda x, g: SELU_S * np.where(x > 0, g, g * SELU_A * np.exp(x)),
                                         lambda F, a, t, tg: a.elu_backward(tg, SELU_A, SELU_S, 1.0, False, t))}),
    Op("silu", "plain", "SiLU (swish): x * sigmoid(x).", "y = x / (1 + exp(-x))",
       "Gradient of silu.", "g * s * (1 + x * (1 - s)), s = sigmoid(x)",
       notes="silu(-inf) = -0.0 (PyTorch returns NaN).", bnotes="Limits: g at +inf, 0 at -inf.",
       alias="swish",
       ulp=(1, 2, 4),
       peers={"silu": _fwd_peer(_rk("silu"), lambda x: x / (1 + np.exp(-x)), lambda F, a, t: F.silu(t)),
              "swish": _fwd_peer(_rk("swish"), lambda x: x / (1 + np.exp(-x)), lambda F, a, t: F.silu(t)),
              "silu_backward": _bwd_peer(_rkb("silu_backward"),
                                         lambda x, g: (lambda s: g * s * (1 + x * (1 - s)))(_sig(x)),
                                         lambda F, a, t, tg: a.silu_backward(tg, t))}),
    Op("mish", "plain", "Mish: x * tanh(softplus(x)).", "y = x * tanh(log(1 + exp(x)))",
       "Gradient of mish.", "g * (t + x * sigmoid(x) * (1 - t^2)), t = tanh(softplus(x))",
       notes="mish(-inf) = -0.0 (PyTorch returns NaN).", bnotes="Limits: g at +inf, 0 at -inf.",
       ulp=(1, 2, 4),
       peers={"mish": _fwd_peer(_rk("mish"), lambda x: x * np.tanh(np.logaddexp(0, x)), lambda F, a, t: F.mish(t)),
              "mish_backward": _bwd_peer(_rkb("mish_backward"),
                                         lambda x, g: (lambda tsp, s: g * (tsp + x * s * (1 - tsp * tsp)))(
                                             np.tanh(np.logaddexp(0, x)), _sig(x)),
                                         lambda F, a, t, tg: a.mish_backward(tg, t))}),
    Op("softplus", "param", "Softplus.", "y = beta*x > threshold ? x : log(1 + exp(beta*x)) / beta",
       "Gradient of softplus.", "g where beta*x > threshold, else g * sigmoid(beta*x)",
       params=(Param("beta", 1.0, "Sharpness (default 1), not 0.", nonzero=True),
               Param("threshold", 20.0, "Above beta*x > threshold the op is linear (default 20).")),
       from_output=FromOutput("softplus_backward_from_output",
                              "g where beta*y > threshold, else g * (1 - exp(-beta*y))",
                              doc="It is within ``exp(-threshold)`` relative where both branches give the same "
                                  "``y`` (torch: 0.9999546 at ``x = 5``, ``beta = 2``, ``threshold = 10``; "
                                  "relukit 1.0).",
                              readme="`from_output=True`: `g (1 - e^(-beta y))`; `g` where `beta y > threshold`; "
                                     "within `exp(-threshold)` relative where both branches give the same `y` "
                                     "(torch: 0.9999546 at `x = 5`, `beta = 2`, `threshold = 10`; relukit 1.0)"),
       sample=(1.0, 20.0), bsample=(1.0, 20.0),
       acc="f16 1, f32 2, f64 4 ULP at beta = 1; other beta: forward <= 3 ULP (measured 2.8; results "
           "below 1e-30 with beta < 1 excepted), backward <= 2",
       ulp=(1, 2, 4),
       peers={"softplus": _fwd_peer(_rk("softplus"), lambda x: np.logaddexp(0, x), lambda F, a, t: F.softplus(t)),
              "softplus_backward": _bwd_peer(_rkb("softplus_backward"), lambda x, g: g * _sig(x),
                                             lambda F, a, t, tg: a.softplus_backward(tg, t, 1.0, 20.0))}),
    Op("gelu", "choice", "Gaussian error linear unit.",
       "y = x * Phi(x) = x/2 * erfc(-x/sqrt(2)); 'tanh': x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
       "Gradient of gelu.", "g * (Phi(x) + x * phi(x)) (or of the tanh form)",
       notes="The negative tail keeps its relative accuracy down to the subnormal numbers (``gelu(-6)`` "
             "is ``-5.92e-9`` in float32; 1 + erf would round it to 0); ``gelu(-inf) = -0.0`` (PyTorch "
             "returns NaN), ``gelu(inf) = inf``.",
       bnotes="Limits: g at +inf, 0 at -inf.",
       choice=("approximate", "none", {"none": ("gelu", "gelu_backward"),
                                       "tanh": ("gelu_tanh", "gelu_tanh_backward")},
               "``'none'`` (default): the exact ``x * Phi(x) = x/2 * erfc(-x/sqrt(2))``; ``'tanh'``: "
               "``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))``."),
       from_output=NoFromOutput("it is not invertible", what="GELU"),
       ulp=(1, 2, 4),
       peers={"gelu": _fwd_peer(_rk("gelu"), _np_gelu, lambda F, a, t: F.gelu(t)),
              "gelu_tanh": _fwd_peer(_rk("gelu", "tanh"), _np_gelu_tanh,
                                     lambda F, a, t: F.gelu(t, approximate="tanh")),
              "gelu_backward": _bwd_peer(_rkb("gelu_backward"),
                                         lambda x, g: (g * (0.5 * (1 + _erf(x / math.sqrt(2)))
                                                            + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi))
                                                       ).astype(x.dtype),
                                         lambda F, a, t, tg: a.gelu_backward(tg, t)),
              "gelu_tanh_backward": _bwd_peer(_rkb("gelu_backward", "tanh"), _np_gelu_tanh_bwd,
                                              lambda F, a, t, tg: a.gelu_backward(tg, t, approximate="tanh"))}),
)

# the ufunc docs of the gelu variants (the choice's rows): (summary, formula, notes)
CHOICE_DOCS = {
    "gelu": ("GELU, exact (erfc) form: x * Phi(x).", "y = x/2 * erfc(-x/sqrt(2))",
             "The negative tail keeps its relative accuracy down to the subnormals; "
             "gelu(-inf) = -0.0 (PyTorch returns NaN).",
             "Gradient of gelu.", "g * (Phi(x) + x * phi(x))", "Limits: g at +inf, 0 at -inf."),
    "gelu_tanh": ("GELU, tanh approximation.", "y = x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
                  "Computed as x * sigmoid(2u), so the negative tail keeps its relative accuracy.",
                  "Gradient of gelu_tanh.", "g * d/dx[x/2 (1 + tanh(u))]", ""),
}

BY_NAME = {op.name: op for op in OPS}

# the gated family (relukit/_api.py's gated section, by hand): public names
GATED_PUBLIC = ("glu", "glu_backward", "reglu", "reglu_backward", "geglu", "geglu_backward",
                "swiglu", "swiglu_backward")


def public_names():
    """Every public op name, in the API's order: each op, its backward, its alias."""
    names = []
    for op in OPS:
        names += [op.name, op.backward]
        if op.alias:
            names += [op.alias, op.alias + "_backward"]
    return names + list(GATED_PUBLIC)


def sample_params():
    """ufunc name -> parameters the self-check and the tests use (operand order)."""
    out = {}
    for op in OPS:
        if op.sample is not None:
            out[op.name] = op.sample
        if op.bsample is not None:
            out[op.backward] = op.bsample
            fo = op.from_output
            if isinstance(fo, FromOutput) and fo.ufunc:
                out[fo.ufunc] = op.bsample
    return out


def ulp_bounds():
    """ufunc name -> {dtype name: published ULP bound}, for every ufunc an op calls."""
    out = {}
    for op in OPS:
        if op.kind == "custom":
            continue
        for u in op.ufuncs():
            fwd = not u.endswith(("_backward", "_backward_from_output"))
            h, s, d = op.ulp if fwd else op.bulp
            out[u] = {"float16": h, "float32": s, "float64": d}
    return out


def peers():
    """Benchmark name -> (uses g?, relukit, numpy, torch): every op's peers."""
    out = {}
    for op in OPS:
        out.update(op.peers)
    return out
