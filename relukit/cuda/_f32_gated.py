"""Float32 bodies of the gated family (glu, geglu, geglu_tanh, swiglu and their
backward; see relukit.cuda._f32 for the vocabulary), mirroring src/gated.c."""
from relukit.cuda._f32 import _k  # noqa: F401 - float32 constants from hexadecimal

HELPERS = {}
INT_HELPERS = {}
GATED = {}
