"""`python -m relukit verify --dtype bfloat16`: every op's bfloat16 loop on all
65536 inputs against the rule it follows, the op's float32 loop on the widened
input (exact) rounded once to bfloat16; the float32 loop's own accuracy is what
the float32 column of verify measures.  The gated ufuncs take all 65536 values of
each operand in turn with the others 1, and once against a shuffled partner (and
g); the backward's two gradients must both follow the rule.  Needs ml_dtypes."""
import numpy as np

from relukit import _reference, _ufuncs


def _gated_operands(name, x):
    """Operand tuples covering every bfloat16 value of each operand of a gated ufunc."""
    n = 3 if _reference.is_backward(name) else 2
    one = np.ones_like(x)
    perm = np.random.default_rng(0).permutation(x.size)
    sets = [tuple(x if i == j else one for i in range(n)) for j in range(n)]
    sets.append(tuple(x if i == 0 else x[np.roll(perm, i)] for i in range(n)))
    return sets


def check(name, bf16):
    """(inputs whose bits differ from the rounded float32 result, one such input or None)."""
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(bf16)
    if _reference.is_gated(name):
        ufunc, params = _ufuncs.GATED_UFUNCS[name], []
        sets = _gated_operands(name, x)
    else:
        ufunc = _ufuncs.UFUNCS[name]
        params = [np.asarray(p, dtype=bf16) for p in _reference.SAMPLE_PARAMS.get(name, ())]
        fwd = _reference.forward_of(name)
        if fwd:  # from-output gradients take the forward's outputs
            with np.errstate(all="ignore"):
                x = _ufuncs.UFUNCS[fwd](x, *params)
        sets = [(np.ones_like(x), x) if _reference.is_backward(name) else (x,)]
    nbad, worst = 0, None
    for ops in sets:
        with np.errstate(all="ignore"):
            got = ufunc(*ops, *params)
            want = ufunc(*(a.astype(np.float32) for a in ops),
                         *(p.astype(np.float32) for p in params))
        got = got if isinstance(got, tuple) else (got,)
        want = want if isinstance(want, tuple) else (want,)
        bad = np.zeros(x.shape, bool)
        for gt, wt in zip(got, want):
            wt = wt.astype(bf16)
            nan = np.isnan(gt.astype(np.float32)) & np.isnan(wt.astype(np.float32))
            bad |= (gt.view(np.uint16) != wt.view(np.uint16)) & ~nan
        if bad.any() and worst is None:
            i = int(np.argmax(bad))
            worst = tuple(o[i] for o in ops) if len(ops) > 1 else ops[0][i]
        nbad += int(bad.sum())
    return nbad, worst


def run(ops, out=print):
    """Print the bfloat16 table; return True if every loop follows the rule."""
    import ml_dtypes

    bf16 = np.dtype(ml_dtypes.bfloat16)
    names = [*sorted(_ufuncs.UFUNCS), *_ufuncs.GATED_UFUNCS] if not ops else list(ops)
    out("bfloat16: all 65536 inputs; bits that differ from the float32 op rounded once")
    ok = True
    for name in names:
        nbad, worst = check(name, bf16)
        ok &= nbad == 0
        out(f"{name:<34}{nbad:>12} {'PASS' if nbad == 0 else f'FAIL (x={worst!r})'}")
    return ok
