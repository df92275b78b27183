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
}


def ufunc_doc(name):
    summary, formula, params, notes = OPS[name]
    lines = [summary, "", f"``{formula}``", "", "Parameters", "----------"]
    if name.endswith("_backward"):
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
