"""The ground truth of verification, and how errors are measured.

The references are the scalar C functions of src/reference.c (libm-based,
independent of the SIMD kernels and of vmath.h), wrapped as ufuncs with each
op's operand order: they compute in double for float16/float32 results and in
long double (80-bit on x86-64) for float64 results, so the reference is always
far more precise than the result it judges.
"""
import functools

import numpy as np

from relukit import _optable
from relukit._ufuncs import GATED_UFUNCS, REFERENCE_UFUNCS, UFUNCS


def reference(name, *operands, dtype=np.float64):
    """Reference values of ufunc `name` for results of `dtype`: float64 arrays for
    float16/float32 results, long double arrays for float64 results -- except for
    the exact ops, whose double reference is itself exact (a long double product
    of two doubles would be rounded twice on its way to double)."""
    exact = ULP_BOUNDS[name][np.dtype(dtype).name] == 0
    work = np.longdouble if np.dtype(dtype) == np.float64 and not exact else np.float64
    with np.errstate(all="ignore"):
        return REFERENCE_UFUNCS[name](*(np.asarray(a, dtype=work) for a in operands))


REFERENCES = {name: functools.partial(reference, name) for name in (*UFUNCS, *GATED_UFUNCS)}

# Parameters the self-check and the tests use for each ufunc (in operand order).
SAMPLE_PARAMS = _optable.sample_params()  # from the op table

# Published accuracy, in ULP of the result dtype against the float64 reference
# rounded to that dtype (0: bit-exact).
ULP_BOUNDS = _optable.ulp_bounds()  # the op table's, and the gated family's below
# The gated family, against the exact product: reglu is one rounding of an exact
# product (bit-exact); the others act(a) * b as their activation.
GATED_OPS = ("glu", "reglu", "geglu", "geglu_tanh", "swiglu")
ULP_BOUNDS.update({n: {"float16": 0, "float32": 0, "float64": 0}
                   for n in ("reglu", "reglu_backward")})
ULP_BOUNDS.update({n: {"float16": 1, "float32": 2, "float64": 4}
                   for op in GATED_OPS if op != "reglu" for n in (op, op + "_backward")})


def is_gated(name):
    """The gated ufuncs: forward (a, b) -> y, backward (g, a, b) -> (ga, gb)."""
    return name in GATED_UFUNCS


def gated_activated(name):
    """Index in the forward's operands (a, b) of the operand the activation takes:
    0 (a), except glu, whose gate is b."""
    return 1 if name.startswith("glu") else 0


def gated_error(name, operands, got, dtype):
    """Error in ULP of `dtype` of a gated ufunc's result(s) `got` for `operands`
    ((a, b) or (g, a, b)), against the reference; for the backward the larger of
    the two gradients' errors, grad_a's measured with g*b as its gradient within
    the window around the activation derivative's zero (DERIVATIVE_ROOTS).  A
    bound of 0 (reglu) asks for the reference's bits: a mismatch counts >= 0.5."""
    dtype = np.dtype(dtype)
    exact = ULP_BOUNDS[name][dtype.name] == 0
    want = reference(name, *operands, dtype=dtype)
    if not name.endswith("_backward"):
        return _err1(got, want, dtype, exact)
    g, a, b = (np.asarray(o) for o in operands)
    with np.errstate(all="ignore"):
        gb = g.astype(np.float64) * b.astype(np.float64)
    return np.maximum(_err1(got[0], want[0], dtype, exact, gb, name, a),
                      _err1(got[1], want[1], dtype, exact))


def _err1(got, want, dtype, exact, g=None, op=None, x=None):
    err = ulp_error(got, want, dtype, g=g, op=op, x=x)
    if not exact:
        return err
    with np.errstate(all="ignore"):
        wr = np.asarray(want).astype(dtype)
    u = f"u{dtype.itemsize}"
    got = np.asarray(got, dtype=dtype)
    same = (got.view(u) == wr.view(u)) | (np.isnan(got) & np.isnan(wr))
    return np.where(same, 0.0, np.maximum(err, 0.5))


def is_backward(name):
    """Backward ufuncs take (g, x_or_y, params...)."""
    return name.endswith("_backward") or name.endswith("_backward_from_output")


def forward_of(name):
    """For a *_backward_from_output ufunc, the forward ufunc whose outputs it takes."""
    return name[: -len("_backward_from_output")] if name.endswith("_backward_from_output") else None


# The zeros of the derivatives the backward ufuncs compute (with SAMPLE_PARAMS), to
# float64 (mpmath.findroot at 60 digits of silu'(x) = s (1 + x (1 - s)), mish'(x),
# gelu'(x) = Phi(x) + x phi(x) and gelu_tanh'(x)), each with the half-width of the
# window around it where a gradient's error is measured in units of
# max(ULP, eps |g| / 2) instead of ULP of the result (see ulp_error).  The other
# backward ufuncs have no zero where they cancel: elu', celu', selu' and softplus'
# are positive; hardswish' vanishes at -1.5 with 2x + 3 exact; the from-output forms
# vanish at y = -alpha (-scale*alpha) and y = 0 with y + alpha exact (Sterbenz) and
# 1 - e^-y from expm1.  The C checks read the same table (src/reference.c, rk_ref_root).
#
# The widths, measured: near a zero r the derivative is a difference of terms of
# size ~1 that cancel to d'(r) (x - r), so an absolute error of k ULP in those terms
# is k / |d'(r) (x - r)| ULP of the result; each width is the widest |x - r| at which
# a kernel exceeds its bound under the plain ULP criterion (every float32 input and
# 500k float64 inputs within 0.6 of r, g = 1 and random g over 2^+-20; the avx2 and
# baseline targets), rounded up:
#   silu'       0.019 (float32), 0.011 (float64)          -> 1/32
#   mish'       0.21 (float32), 0.060 (float64)           -> 1/4
#   gelu'       0.0032 (float32), 0.32 (float64)          -> 3/8
#   gelu_tanh'  0 (float32), 0.054 (float64)              -> 1/16
# float16 needs none (its float32 computation is far more precise than its ULP).
# float64 gelu' is the widest: T(a) - a^2/sqrt(2 pi) cancels with T(a) known to
# about 2 ULP (vmath's erfcx); float32 mish' next (its rational in e^x cancels).
DERIVATIVE_ROOTS = {
    "silu_backward": (-1.2784645427610737951, 2.0 ** -5),
    "mish_backward": (-1.1924312145154952121, 0.25),
    "gelu_backward": (-0.75179152469356445746, 0.375),
    "gelu_tanh_backward": (-0.75246142207101625849, 2.0 ** -4),
}
# the gated backward's grad_a = g b act'(a): the activation's zero and window
DERIVATIVE_ROOTS.update({"swiglu_backward": DERIVATIVE_ROOTS["silu_backward"],
                         "geglu_backward": DERIVATIVE_ROOTS["gelu_backward"],
                         "geglu_tanh_backward": DERIVATIVE_ROOTS["gelu_tanh_backward"]})


def near_root(name, x):
    """True where x lies within the window around the zero of ufunc `name`'s
    derivative (DERIVATIVE_ROOTS); False everywhere for the other ufuncs."""
    x = np.asarray(x, dtype=np.float64)
    if name not in DERIVATIVE_ROOTS:
        return np.zeros(x.shape, dtype=bool)
    root, window = DERIVATIVE_ROOTS[name]
    return np.abs(x - root) <= window


def ulp_error(got, want64, dtype, g=None, op=None, x=None):
    """|got - want| in units of the spacing of `dtype` at the rounded reference.
    NaN vs NaN and equal infinities count 0; a NaN/inf mismatch counts inf.
    Zero results: the spacing at 0 (the smallest subnormal).

    For a backward op pass its incoming gradient `g`, its name `op` and its
    input `x`: within the window around a zero of the derivative (where terms of
    size ~|g| cancel) the unit is max(spacing, eps * |g| / 2), so that an error
    of 2 means |got - want| <= max(2 ULP of the result, eps * |g|); everywhere
    else it is the spacing of the result itself, into the subnormals."""
    dtype = np.dtype(dtype)
    if g is not None and (op is None or x is None):
        raise TypeError("ulp_error: a gradient's error needs op= and x= (the eps |g| "
                        "floor applies only near the zeros of op's derivative)")
    with np.errstate(all="ignore"):
        got = np.asarray(got).astype(np.longdouble)
        want64 = np.asarray(want64).astype(np.longdouble)
        want_r = want64.astype(dtype)
        sp = np.spacing(np.abs(want_r)).astype(np.longdouble)
        if g is not None:
            eps = float(np.finfo(dtype).eps)
            floor = eps * np.abs(np.asarray(g).astype(np.longdouble)) / 2
            sp = np.where(near_root(op, x), np.fmax(sp, floor), sp)
        err = (np.abs(got - want64) / sp).astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(want64)
    same_inf = np.isinf(got) & (got == want_r.astype(np.longdouble))  # overflow of the dtype: the rounded reference is inf too
    err = np.where(both_nan | same_inf, 0.0, err)
    return np.where(np.isnan(err), np.inf, err)
