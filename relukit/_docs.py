"""Docstrings (numpydoc form) of the ufuncs and the wrappers, from one table.

NumPy prepends each ufunc's signature line itself; docs here start with the
summary.
"""

UFUNC_KWARGS = """out : ndarray, None, or tuple of ndarray and None, optional
    Where to store the result (``op(x, out=x)`` works in place).
where : array_like of bool, optional
    Compute only where True; elsewhere ``out`` keeps its values.
**kwargs
    The other ufunc keywords: ``dtype``, ``casting``, ``order``, ``subok``,
    ``signature``."""

X_DOC = """x : array_like
    Input. float16 is computed in float32 and rounded once; float32 and float64
    keep their dtype."""

G_DOC = """g : array_like
    Incoming gradient dL/dy, broadcast against ``x``."""

# name -> (summary, formula, params [(name, doc)], notes)
OPS = {
    "relu": ("Rectified linear unit, elementwise.", "y = x < 0 ? 0 : x", [],
             "Exact. NaN stays NaN (payload kept), -0.0 stays -0.0. Integer inputs keep "
             "their dtype."),
    "relu_backward": ("Gradient of relu.", "g where x > 0, NaN where x is NaN, else 0", [],
                      "relu'(0) = 0, as PyTorch. ``relu(x)`` may be passed for ``x`` (exact)."),
    "relu6": ("ReLU capped at 6, elementwise.", "y = min(max(x, 0), 6)", [],
              "Exact. NaN stays NaN, -0.0 stays -0.0."),
    "relu6_backward": ("Gradient of relu6.", "g where 0 < x < 6, NaN where x is NaN, else 0", [],
                       "relu6'(0) = relu6'(6) = 0, as PyTorch. ``relu6(x)`` may be passed "
                       "for ``x`` (exact)."),
    "hardtanh": ("Hard tanh: x clipped to [min_val, max_val].",
                 "y = x < min_val ? min_val : (x > max_val ? max_val : x)",
                 [("min_val", "Lower bound (default -1)."), ("max_val", "Upper bound (default 1).")],
                 "Exact."),
    "hardtanh_backward": ("Gradient of hardtanh.",
                          "g where min_val < x < max_val, NaN where x is NaN, else 0",
                          [("min_val", "Lower bound."), ("max_val", "Upper bound.")],
                          "Zero at both kinks, as PyTorch."),
    "threshold": ("Threshold: x where x > threshold, else value.",
                  "y = x <= threshold ? value : x",
                  [("threshold", "The threshold."), ("value", "The replacement.")],
                  "Exact. NaN stays NaN."),
    "threshold_backward": ("Gradient of threshold.", "g where x > threshold, NaN where x is NaN, else 0",
                           [("threshold", "The threshold.")], ""),
    "leaky_relu": ("Leaky ReLU.", "y = x < 0 ? x * negative_slope : x",
                   [("negative_slope", "Slope for x < 0 (default 0.01).")],
                   "Exact: the product is rounded once (the slope is first rounded to x's dtype)."),
    "leaky_relu_backward": ("Gradient of leaky_relu.",
                            "g where x > 0, NaN where x is NaN, else g * negative_slope",
                            [("negative_slope", "Slope for x <= 0.")],
                            "leaky_relu'(0) = negative_slope, as PyTorch."),
    "hardsigmoid": ("Hard sigmoid.", "y = x <= -3 ? 0 : (x >= 3 ? 1 : (x + 3) / 6)", [],
                    "<= 1 ULP."),
    "hardsigmoid_backward": ("Gradient of hardsigmoid.", "g / 6 where -3 < x < 3, NaN where x is NaN, else 0",
                             [], "Zero at both kinks, as PyTorch."),
    "hardswish": ("Hard swish.", "y = x <= -3 ? -0.0 : (x >= 3 ? x : x * (x + 3) / 6)", [],
                  "<= 2 ULP. hardswish(-inf) = -0.0 (PyTorch returns NaN)."),
    "hardswish_backward": ("Gradient of hardswish.",
                           "0 where x <= -3, g where x >= 3, else g * (2x + 3) / 6; NaN where x is NaN",
                           [], "hardswish'(-3) = 0, hardswish'(3) = 1, as PyTorch."),
    "elu": ("Exponential linear unit.", "y = x > 0 ? x : alpha * expm1(x)",
            [("alpha", "Scale of the negative branch (default 1).")], "elu(-inf) = -alpha."),
    "elu_backward": ("Gradient of elu.", "g where x > 0, else g * alpha * exp(x)",
                     [("alpha", "The forward call's alpha.")], "elu'(0) from the negative branch, as PyTorch."),
    "celu": ("Continuously differentiable ELU.", "y = x > 0 ? x : alpha * expm1(x / alpha)",
             [("alpha", "Scale (default 1), not 0.")], ""),
    "celu_backward": ("Gradient of celu.", "g where x > 0, else g * exp(x / alpha)",
                      [("alpha", "The forward call's alpha.")], ""),
    "selu": ("Scaled ELU with PyTorch's constants.", "y = scale * (x > 0 ? x : alpha * expm1(x))", [],
             "alpha = 1.6732632423543772, scale = 1.0507009873554805."),
    "selu_backward": ("Gradient of selu.", "g * scale where x > 0, else g * scale * alpha * exp(x)", [], ""),
    "silu": ("SiLU (swish): x * sigmoid(x).", "y = x / (1 + exp(-x))", [],
             "silu(-inf) = -0.0 (PyTorch returns NaN)."),
    "silu_backward": ("Gradient of silu.", "g * s * (1 + x * (1 - s)), s = sigmoid(x)", [],
                      "Limits: g at +inf, 0 at -inf."),
    "softplus": ("Softplus.", "y = beta*x > threshold ? x : log(1 + exp(beta*x)) / beta",
                 [("beta", "Sharpness (default 1), not 0."),
                  ("threshold", "Above beta*x > threshold the op is linear (default 20).")], ""),
    "softplus_backward": ("Gradient of softplus.", "g where beta*x > threshold, else g * sigmoid(beta*x)",
                          [("beta", "The forward call's beta."), ("threshold", "The forward call's threshold.")], ""),
    "mish": ("Mish: x * tanh(softplus(x)).", "y = x * tanh(log(1 + exp(x)))", [],
             "mish(-inf) = -0.0 (PyTorch returns NaN)."),
    "mish_backward": ("Gradient of mish.", "g * (t + x * sigmoid(x) * (1 - t^2)), t = tanh(softplus(x))", [],
                      "Limits: g at +inf, 0 at -inf."),
    "gelu": ("GELU, exact (erfc) form: x * Phi(x).", "y = x/2 * erfc(-x/sqrt(2))", [],
             "The negative tail keeps its relative accuracy down to the subnormals; "
             "gelu(-inf) = -0.0 (PyTorch returns NaN)."),
    "gelu_backward": ("Gradient of gelu.", "g * (Phi(x) + x * phi(x))", [], "Limits: g at +inf, 0 at -inf."),
    "gelu_tanh": ("GELU, tanh approximation.", "y = x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))", [],
                  "Computed as x * sigmoid(2u), so the negative tail keeps its relative accuracy."),
    "gelu_tanh_backward": ("Gradient of gelu_tanh.", "g * d/dx[x/2 (1 + tanh(u))]", [], ""),
    "elu_backward_from_output": ("Gradient of elu from its output y.", "g where y > 0, else g * (y + alpha)",
                                 [("alpha", "The forward call's alpha (>= 0).")], ""),
    "celu_backward_from_output": ("Gradient of celu from its output y.", "g where y > 0, else g * (y / alpha + 1)",
                                  [("alpha", "The forward call's alpha (> 0).")], ""),
    "selu_backward_from_output": ("Gradient of selu from its output y.",
                                  "g * scale where y > 0, else g * (y + scale * alpha)", [], ""),
    "softplus_backward_from_output": ("Gradient of softplus from its output y.",
                                      "g where beta*y > threshold, else g * (1 - exp(-beta*y))",
                                      [("beta", "The forward call's beta."),
                                       ("threshold", "The forward call's threshold.")], ""),
    "hardsigmoid_backward_from_output": ("Gradient of hardsigmoid from its output y.",
                                         "g / 6 where 0 < y < 1, else 0", [], ""),
}

# The gated family (two operands; the backward returns two gradients):
# name -> (summary, formula, activation name for the docs, notes)
GATED = {
    "glu": ("Gated linear unit on two operands (PyTorch's F.glu on the two halves).",
            "y = a * sigmoid(b)", "sigmoid of the gate b",
            "glu(inf, -inf) = inf * 0 = NaN, as IEEE 754 and PyTorch."),
    "reglu": ("ReGLU: relu(a) * b.", "y = relu(a) * b", "relu",
              "Exact (one rounding of an exact product). reglu(-1, inf) = 0 * inf = NaN, as PyTorch."),
    "geglu": ("GEGLU: gelu(a) * b (exact, erfc form).", "y = a/2 * erfc(-a/sqrt(2)) * b", "gelu",
              "geglu(-inf, inf) = -0 * inf = NaN, as PyTorch."),
    "geglu_tanh": ("GEGLU with gelu's tanh approximation: gelu_tanh(a) * b.",
                   "y = a/2 * (1 + tanh(sqrt(2/pi) (a + 0.044715 a^3))) * b", "gelu_tanh", ""),
    "swiglu": ("SwiGLU: silu(a) * b (LLaMA's MLP gate; vLLM's SiluAndMul on two operands).",
               "y = a * sigmoid(a) * b", "silu", "swiglu(-inf, inf) = -0 * inf = NaN, as PyTorch."),
}
GATED_BWD = {
    "glu": "ga = g * s, gb = g * a * s * (1 - s), s = sigmoid(b)",
    "reglu": "ga = a > 0 ? g * b : 0 (NaN where a is NaN), gb = g * relu(a)",
    "geglu": "ga = g * b * gelu'(a), gb = g * gelu(a)",
    "geglu_tanh": "ga = g * b * gelu_tanh'(a), gb = g * gelu_tanh(a)",
    "swiglu": "ga = g * b * s * (1 + a * (1 - s)), gb = g * silu(a), s = sigmoid(a)",
}
AB_DOC = """a : array_like
    The activated operand (glu: the value, gated by b). float16 and bfloat16 are
    computed in float32 and rounded once; float32 and float64 keep their dtype.
b : array_like
    The other operand (glu: the gate), broadcast against ``a``."""


def gated_doc(name):
    """Docstring of a gated ufunc: the forward ``name`` or ``name_backward``."""
    bwd = name.endswith("_backward")
    base = name[:-len("_backward")] if bwd else name
    summary, formula, _, notes = GATED[base]
    if bwd:
        lines = [f"Gradients of {base} with respect to both operands, in one pass.", "",
                 f"``{GATED_BWD[base]}``", "", "Parameters", "----------",
                 "g : array_like\n    Incoming gradient dL/dy.", AB_DOC, UFUNC_KWARGS, "",
                 "Returns", "-------", "ga, gb : ndarray\n    dL/da and dL/db."]
    else:
        lines = [summary, "", f"``{formula}``", "", "Parameters", "----------", AB_DOC,
                 UFUNC_KWARGS, "", "Returns", "-------", "y : ndarray or scalar\n    The result."]
    lines += ["", "Notes", "-----", (notes + " " if notes else "")
              + "NaN in either operand gives NaN. Raises no floating-point warning for any input."]
    return "\n".join(lines) + "\n"


def ufunc_doc(name):
    summary, formula, params, notes = OPS[name]
    lines = [summary, "", f"``{formula}``", "", "Parameters", "----------"]
    if name.endswith("_backward_from_output"):
        lines += [G_DOC, "y : array_like\n    The output of the forward call."]
    elif name.endswith("_backward"):
        lines += [G_DOC, "x : array_like\n    The input of the forward call."]
    else:
        lines.append(X_DOC)
    for pname, pdoc in params:
        lines.append(f"{pname} : array_like\n    {pdoc} Broadcasts against ``x``.")
    lines += [UFUNC_KWARGS, "", "Returns", "-------",
              "y : ndarray or scalar\n    The result, of the input's dtype."]
    if notes:
        lines += ["", "Notes", "-----", notes + " Raises no floating-point warning for any input."]
    return "\n".join(lines) + "\n"


UFUNC_DOCS = {name: ufunc_doc(name) for name in OPS}
UFUNC_DOCS.update({n: gated_doc(n) for base in GATED for n in (base, base + "_backward")})
