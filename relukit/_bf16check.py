"""`python -m relukit verify --dtype bfloat16`: every op's bfloat16 loop on all
65536 inputs against the rule it follows, the op's float32 loop on the widened
input (exact) rounded once to bfloat16; the float32 loop's own accuracy is what
the float32 column of verify measures.  Needs ml_dtypes."""
import numpy as np

from relukit import _reference, _ufuncs


def check(name, bf16):
    """(inputs whose bits differ from the rounded float32 result, one such input or None)."""
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(bf16)
    params = [np.asarray(p, dtype=bf16) for p in _reference.SAMPLE_PARAMS.get(name, ())]
    fwd = _reference.forward_of(name)
    with np.errstate(all="ignore"):
        if fwd:  # from-output gradients take the forward's outputs
            x = _ufuncs.UFUNCS[fwd](x, *params)
        ops = (np.ones_like(x), x) if _reference.is_backward(name) else (x,)
        got = _ufuncs.UFUNCS[name](*ops, *params)
        want = _ufuncs.UFUNCS[name](*(a.astype(np.float32) for a in ops),
                                    *(p.astype(np.float32) for p in params)).astype(bf16)
    g, w = got.view(np.uint16), want.view(np.uint16)
    nan = np.isnan(got.astype(np.float32)) & np.isnan(want.astype(np.float32))
    bad = (g != w) & ~nan
    return int(bad.sum()), (x[np.argmax(bad)] if bad.any() else None)


def run(ops, out=print):
    """Print the bfloat16 table; return True if every loop follows the rule."""
    import ml_dtypes

    bf16 = np.dtype(ml_dtypes.bfloat16)
    names = sorted(_ufuncs.UFUNCS) if not ops else list(ops)
    out("bfloat16: all 65536 inputs; bits that differ from the float32 op rounded once")
    ok = True
    for name in names:
        nbad, worst = check(name, bf16)
        ok &= nbad == 0
        out(f"{name:<34}{nbad:>12} {'PASS' if nbad == 0 else f'FAIL (x={worst!r})'}")
    return ok
