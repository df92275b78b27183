"""Float64 NumPy references of every op, independent of the C kernels.

Each function takes float64 arrays (parameters as float64 scalars or arrays)
and returns float64.  Tests and the self-check compare relukit's results with
these, after rounding to the result dtype.  Written for clarity, not speed;
NaN propagation is explicit so that the reference never relies on a comparison
happening to be False.
"""
import numpy as np


def _f(a):
    return np.asarray(a, dtype=np.float64)


def _nan_from(x, y):
    """NaN wherever x is NaN, y elsewhere."""
    return np.where(np.isnan(x), x, y)


def relu(x):
    x = _f(x)
    return np.where(x < 0, 0.0, x)


def relu_backward(g, x):
    g, x = _f(g), _f(x)
    return _nan_from(x, np.where(x > 0, g, 0.0))


def relu6(x):
    x = _f(x)
    return np.where(x < 0, 0.0, np.where(x > 6, 6.0, x))


def relu6_backward(g, x):
    g, x = _f(g), _f(x)
    return _nan_from(x, np.where((x > 0) & (x < 6), g, 0.0))


def hardtanh(x, min_val=-1.0, max_val=1.0):
    x, lo, hi = _f(x), _f(min_val), _f(max_val)
    return np.where(x < lo, lo, np.where(x > hi, hi, x))


def hardtanh_backward(g, x, min_val=-1.0, max_val=1.0):
    g, x, lo, hi = _f(g), _f(x), _f(min_val), _f(max_val)
    return _nan_from(x, np.where((x > lo) & (x < hi), g, 0.0))


def threshold(x, threshold, value):
    x, th, v = _f(x), _f(threshold), _f(value)
    return _nan_from(x, np.where(x <= th, v, x))


def threshold_backward(g, x, threshold):
    g, x, th = _f(g), _f(x), _f(threshold)
    return _nan_from(x, np.where(x > th, g, 0.0))


def leaky_relu(x, negative_slope=0.01):
    x, s = _f(x), _f(negative_slope)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        return np.where(x < 0, x * s, x)


def leaky_relu_backward(g, x, negative_slope=0.01):
    g, x, s = _f(g), _f(x), _f(negative_slope)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        return _nan_from(x, np.where(x > 0, g, g * s))


def hardsigmoid(x):
    x = _f(x)
    return _nan_from(x, np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (x + 3) / 6)))


def hardsigmoid_backward(g, x):
    g, x = _f(g), _f(x)
    return _nan_from(x, np.where((x > -3) & (x < 3), g / 6, 0.0))


def hardswish(x):
    x = _f(x)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = x * (x + 3) / 6
    return _nan_from(x, np.where(x <= -3, -0.0, np.where(x >= 3, x, mid)))


def hardswish_backward(g, x):
    g, x = _f(g), _f(x)
    with np.errstate(invalid="ignore", over="ignore"):
        mid = g * ((2 * x + 3) / 6)
    return _nan_from(x, np.where(x <= -3, 0.0, np.where(x >= 3, g, mid)))


REFERENCES = {name: fn for name, fn in list(globals().items())
              if callable(fn) and not name.startswith("_") and name not in ("np",)}

# Parameters the self-check and the tests use for each ufunc (in operand order).
SAMPLE_PARAMS = {
    "hardtanh": (-1.0, 1.0), "hardtanh_backward": (-0.5, 2.0),
    "threshold": (0.25, -3.0), "threshold_backward": (0.25,),
    "leaky_relu": (0.01,), "leaky_relu_backward": (0.2,),
}

# Published accuracy, in ULP of the result dtype against the float64 reference
# rounded to that dtype (0: bit-exact).
_EXACT = ("relu", "relu_backward", "relu6", "relu6_backward", "hardtanh", "hardtanh_backward",
          "threshold", "threshold_backward", "leaky_relu", "leaky_relu_backward")
ULP_BOUNDS = {name: {"float16": 0, "float32": 0, "float64": 0} for name in _EXACT}
ULP_BOUNDS.update({
    "hardsigmoid": {"float16": 1, "float32": 1, "float64": 1},
    "hardsigmoid_backward": {"float16": 1, "float32": 0, "float64": 0},
    "hardswish": {"float16": 1, "float32": 2, "float64": 2},
    "hardswish_backward": {"float16": 1, "float32": 2, "float64": 2},
})


def ulp_error(got, want64, dtype):
    """|got - want| in units of the spacing of `dtype` at the rounded reference.
    NaN vs NaN and equal infinities count 0; a NaN/inf mismatch counts inf.
    Zero results: the spacing at 0 (the smallest subnormal)."""
    dtype = np.dtype(dtype)
    got = np.asarray(got).astype(np.float64)
    want64 = np.asarray(want64, dtype=np.float64)
    with np.errstate(all="ignore"):
        want_r = want64.astype(dtype)
        sp = np.spacing(np.abs(want_r)).astype(np.float64)
        err = np.abs(got - want64) / sp
    both_nan = np.isnan(got) & np.isnan(want64)
    same_inf = np.isinf(got) & (got == want_r)  # overflow of the dtype: the rounded reference is inf too
    err = np.where(both_nan | same_inf, 0.0, err)
    # a signed-zero mismatch is an error in an exact op
    zero_sign = (got == 0) & (want_r == 0) & (np.signbit(got) != np.signbit(want_r))
    err = np.where(zero_sign, np.inf, err)
    return np.where(np.isnan(err), np.inf, err)
