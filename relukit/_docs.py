"""Docstrings (numpydoc form) of the ufuncs: the table ops' from the op table
(relukit/_optable.py, through relukit/_opgen.py), the gated family's from the table here.

NumPy prepends each ufunc's signature line itself; docs here start with the
summary.
"""

from relukit._opgen import G_DOC, UFUNC_KWARGS, X_DOC, ufunc_docs  # noqa: F401

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


UFUNC_DOCS = ufunc_docs()
UFUNC_DOCS.update({n: gated_doc(n) for base in GATED for n in (base, base + "_backward")})
