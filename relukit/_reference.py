"""Float64 NumPy references of every op, independent of the C kernels.

Each function takes float64 arrays and returns float64; tests and the self-check
compare relukit's results (after rounding the reference to the result dtype) with
these.  They favour clarity over speed.
"""
import numpy as np


def relu(x):
    x = np.asarray(x, dtype=np.float64)
    # x < 0 -> +0.0; NaN, -0.0 and everything else pass through unchanged
    return np.where(x < 0, 0.0, x)


def relu_backward(g, x):
    g = np.asarray(g, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    return np.where(np.isnan(x), x, np.where(x > 0, g, 0.0))


REFERENCES = {
    "relu": relu,
    "relu_backward": relu_backward,
}
