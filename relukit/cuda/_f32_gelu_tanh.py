"""Float32 bodies of gelu_tanh, mish and mish' (see relukit.cuda._f32 for the vocabulary), mirroring
src/gelu.c and src/exponential.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal

HELPERS = {}
INT_HELPERS = {}
ROWS = {}
