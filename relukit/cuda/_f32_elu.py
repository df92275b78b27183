"""Float32 bodies of the ELU family (elu, celu, selu: forward, backward, backward from the output) (see relukit.cuda._f32 for the vocabulary), mirroring
src/exponential.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal

HELPERS = {}
INT_HELPERS = {}
ROWS = {}
