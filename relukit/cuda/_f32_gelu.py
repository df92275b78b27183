"""Float32 bodies of gelu (erf) and gelu' (see relukit.cuda._f32 for the vocabulary), mirroring
src/gelu.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal

HELPERS = {}
INT_HELPERS = {}
ROWS = {}
