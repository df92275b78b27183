"""Docstrings of the ufuncs (numpydoc form), keyed by ufunc name."""

_UFUNC_PARAMS = """
out : ndarray, None, or tuple of ndarray and None, optional
    Where to store the result (``op(x, out=x)`` works in place).
where : array_like of bool, optional
    Compute only where True; elsewhere ``out`` keeps its values.
**kwargs
    The other ufunc keywords: ``dtype``, ``casting``, ``order``, ``subok``,
    ``signature``."""

UFUNC_DOCS = {
    "relu": """Rectified linear unit, elementwise: ``x < 0 ? 0 : x``.

Parameters
----------
x : array_like
    Input, any float (float16, float32, float64) or integer dtype. float16 is
    computed in float32 and rounded once; integers keep their dtype.""" + _UFUNC_PARAMS + """

Returns
-------
y : ndarray or scalar
    ``0`` where ``x < 0``, else ``x`` itself: NaN stays NaN (payload kept),
    ``-0.0`` stays ``-0.0``, ``+inf`` stays ``+inf``.

Notes
-----
Exact (0 ULP) for every input. Raises no floating-point warning for any input.
Same as ``torch.nn.functional.relu``.

Examples
--------
>>> import numpy as np, relukit
>>> relukit.relu(np.array([-2.0, -0.0, 0.5, np.nan]))
array([ 0. , -0. ,  0.5,  nan])
""",
    "relu_backward": """Gradient of :func:`relu`: ``g`` where ``x > 0``, NaN where ``x`` is NaN, else 0.

Parameters
----------
g : array_like
    Incoming gradient (dL/dy).
x : array_like
    The input of the forward call (``relu(x)`` itself may be passed instead:
    ``relu(x) > 0`` exactly where ``x > 0``).""" + _UFUNC_PARAMS + """

Returns
-------
grad_x : ndarray or scalar
    dL/dx. The derivative at the kink ``x == 0`` is 0, as in PyTorch.

Examples
--------
>>> import numpy as np, relukit
>>> relukit.relu_backward(np.ones(4), np.array([-1.0, 0.0, 2.0, np.nan]))
array([ 0.,  0.,  1., nan])
""",
}
