"""Float32 bodies of silu', softplus (forward, backward, backward from the output) and gelu_tanh' (see relukit.cuda._f32 for the vocabulary), mirroring
src/exponential.c, src/sigmoid.h and src/gelu.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal

HELPERS = {}
INT_HELPERS = {}
ROWS = {}
