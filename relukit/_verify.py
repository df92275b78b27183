"""`python -m relukit verify`: measured accuracy of every op and dtype against
the scalar C reference (double for float16/float32 results, long double for
float64 results), with each op's published bound.

- float16: all 65536 inputs (always exhaustive);
- float32: --exhaustive runs all 2^32 bit patterns in C (threads, a few minutes
  per op); otherwise `samples` inputs: half uniformly random bit patterns (so
  every binade, subnormals included, weighs the same), half uniform on [-40, 40];
- float64: `samples` inputs drawn the same way, plus special values.
Backward ops are checked with g = 1 (all inputs where exhaustive) and with random g
(`samples` inputs: half random finite bit patterns, half standard normal), in ULP of the result itself (into the
subnormals), except within the windows around the zeros of silu', mish', gelu'
and gelu_tanh' (relukit._reference.DERIVATIVE_ROOTS): max(bound ULP, eps |g|).
Parameters: each op's sample parameters (relukit._reference.SAMPLE_PARAMS).
The gated ops (check_gated): the activated operand takes the inputs above, the
other operand and g are the same inputs shuffled (random pairs over every binade);
exhaustive float32 sweeps the activated operand with the other operand and g = 1.
"""
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from relukit import _reference, _ufuncs

DTYPES = ("float16", "float32", "float64")


def _special(dtype):
    fi = np.finfo(dtype)
    v = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 20.0, -20.0,
         float(fi.max), -float(fi.max), float(fi.tiny), -float(fi.tiny),
         float(fi.smallest_subnormal), -float(fi.smallest_subnormal)]
    return np.array(v, dtype=dtype)


def sample(dtype, n, rng):
    """n inputs: half random bit patterns (NaNs dropped), half uniform on [-40, 40]."""
    dtype = np.dtype(dtype)
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dtype.itemsize]
    bits = rng.integers(0, np.iinfo(uint).max, size=n - n // 2, dtype=uint, endpoint=True)
    a = bits.view(dtype)
    a = a[~np.isnan(a)]
    b = rng.uniform(-40, 40, n // 2).astype(dtype)
    return np.concatenate([_special(dtype), a, b])


def all_inputs(dtype):
    if np.dtype(dtype) != np.float16:
        raise ValueError("only float16 can be listed exhaustively here")
    return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)


def random_g(dtype, n, rng):
    """n finite gradients: half random bit patterns (every binade, subnormals
    included), half standard normal."""
    dtype = np.dtype(dtype)
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dtype.itemsize]
    bits = rng.integers(0, np.iinfo(uint).max, size=n - n // 2, dtype=uint, endpoint=True)
    a = bits.view(dtype)
    a = np.where(np.isfinite(a), a, dtype.type(1))
    return np.concatenate([a, rng.standard_normal(n // 2).astype(dtype)])


def check_gated(name, x, dtype, rng, target=None):
    """The gated ufuncs: the activated operand (a; glu: b) takes the inputs x, the
    other operand (and g) are drawn from the same distribution, shuffled (float16:
    every x against 8 draws of them, and against 1).  Returns as check_array; the
    backward's error is the larger of its two gradients'."""
    dtype = np.dtype(dtype)
    bound = _reference.ULP_BOUNDS[name][dtype.name]
    if dtype == np.float16:
        reps = [np.ones_like(x)] + [rng.permutation(x) for _ in range(8)]
        x = np.tile(x, len(reps))
        other, g = np.concatenate(reps), np.concatenate([rng.permutation(r) for r in reps])
    else:
        other, g = rng.permutation(x), rng.permutation(x)
    if dtype == np.float64 and name.endswith("_backward"):
        # the float64 gradients' bound holds where g*b and g*a are within the float64
        # range (README): the partner operands' magnitudes above 2^511 scaled down
        with np.errstate(all="ignore"):
            other = np.where(np.abs(other) > 2.0 ** 511, other * 2.0 ** -600, other)
            g = np.where(np.abs(g) > 2.0 ** 511, g * 2.0 ** -600, g)
            x = np.where(np.abs(x) > 2.0 ** 511, x * 2.0 ** -600, x)
    act = _reference.gated_activated(name.removesuffix("_backward"))
    ab = (other, x) if act else (x, other)
    ops = (g, *ab) if name.endswith("_backward") else ab
    uf = _target(target)[1][name]
    got = uf(*ops)
    err = _reference.gated_error(name, ops, got, dtype)
    i = int(np.argmax(err)) if err.size else 0
    return float(err.max(initial=0)), (x[i] if err.size else None), int((err > bound).sum())


def _target(target):
    """(ufuncs, gated ufuncs) of a target name (None: the selected target)"""
    return (_ufuncs.UFUNCS, _ufuncs.GATED_UFUNCS) if target is None else _ufuncs.target_ufuncs(target)


def op_rng(seed, name, dtype):
    """the generator of one (op, dtype) cell: its figure does not depend on which
    other ops or dtypes the run checks, nor on the target"""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), DTYPES.index(np.dtype(dtype).name)])


def check_array(name, x, dtype, rng=None, target=None):
    """(max error in ULP, worst input, number above the bound) for inputs x; a
    backward op with g = 1, and also with random g (random_g) when rng is given.
    target: the kernels of that target (a name of SUPPORTED_TARGETS; None: the
    selected one)."""
    if _reference.is_gated(name):
        return check_gated(name, x, dtype, rng if rng is not None else np.random.default_rng(0),
                           target=target)
    ufuncs = _target(target)[0]
    dtype = np.dtype(dtype)
    params = tuple(np.asarray(p, dtype=dtype) for p in _reference.SAMPLE_PARAMS.get(name, ()))
    bound = _reference.ULP_BOUNDS[name][dtype.name]
    bwd = _reference.is_backward(name)
    fwd = _reference.forward_of(name)
    if fwd:  # from-output gradients take the forward's outputs
        with np.errstate(all="ignore"):
            x = ufuncs[fwd](x, *params)
    gs = [None]
    if bwd:
        gs = [np.ones_like(x)] + ([random_g(dtype, x.size, rng)] if rng is not None else [])
    worst, worst_x, nbad = 0.0, None, 0
    for g in gs:
        arrays = (x,) if g is None else (g, x)
        got = ufuncs[name](*arrays, *params)
        want = _reference.reference(name, *arrays, *params, dtype=dtype)
        if bound == 0:
            with np.errstate(all="ignore"):
                wr = want.astype(dtype)
            u = f"u{dtype.itemsize}"
            same = (got.view(u) == wr.view(u)) | (np.isnan(got) & np.isnan(wr))
            err = np.where(same, 0.0, np.maximum(_reference.ulp_error(got, want, dtype), 0.5))
        else:
            err = _reference.ulp_error(got, want, dtype, g=g, op=name, x=x)
        if err.size:
            i = int(np.argmax(err))
            if err[i] >= worst:
                worst, worst_x = float(err[i]), x[i]
            nbad += int((err > bound).sum())
    return worst, worst_x, nbad


def check_f32_exhaustive(name, threads=2, progress=None, chunk=1 << 24, targets=None):
    """All 2^32 float32 inputs, in C, `threads` ranges at a time.  (A from-output
    gradient is swept over all 2^32 values of y, most of which no forward call
    returns; its reference is the same formula in double.)  Returns (max error,
    worst input, number above the bound); with `targets` (names), a list of those,
    one per target, from one sweep."""
    params = tuple(float(np.float32(p)) for p in _reference.SAMPLE_PARAMS.get(name, ()))
    params = params + (0.0,) * (2 - len(params))
    bound = _reference.ULP_BOUNDS[name]["float32"]
    ranges = [(lo, min(lo + chunk, 1 << 32)) for lo in range(0, 1 << 32, chunk)]
    names = list(targets) if targets is not None else [_ufuncs.TARGET]
    done = [0]
    lock = threading.Lock()

    def run(r):
        res = _ufuncs.verify_f32_range(name, r[0], r[1], params[0], params[1], 1.0,
                                       bound == 0, float(bound), targets=names)
        with lock:
            done[0] += 1
            if progress:
                progress(done[0] / len(ranges))
        return res

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(run, ranges))
    out = []
    for t in range(len(names)):
        per = [r[t] for r in results]
        maxerr, worst_bits, _ = max(per, key=lambda r: r[0])
        worst = np.array([worst_bits], dtype=np.uint32).view(np.float32)[0]
        out.append((maxerr, worst, sum(r[2] for r in per)))
    return out if targets is not None else out[0]


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run(ops=None, dtypes=DTYPES, exhaustive=False, samples=1_000_000, threads=2, seed=0,
        out=print, err=sys.stderr, targets=None):
    """Print the accuracy table; return True if every op meets its bound.
    targets: names of targets to check side by side (default: the selected one);
    the exhaustive float32 sweep computes the reference once for all of them."""
    known = {**_ufuncs.UFUNCS, **_ufuncs.GATED_UFUNCS}
    names = sorted(known) if not ops else list(ops)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"verify: unknown op(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(sorted(known))}")
    tnames = list(targets) if targets else [_ufuncs.TARGET]
    bad = [t for t in tnames if t not in _ufuncs.SUPPORTED_TARGETS]
    if bad:
        raise ValueError(f"verify: target(s) {', '.join(bad)} not supported on this CPU; "
                         f"choose from {', '.join(_ufuncs.SUPPORTED_TARGETS)}")
    multi = targets is not None and len(tnames) > 1
    how = {"float16": "all 65536 inputs",
           "float32": "all 2^32 inputs" if exhaustive else f"{samples} sampled inputs",
           "float64": f"{samples} sampled inputs"}
    out(f"relukit {', '.join(tnames)} target{'s' if multi else ''}; max error in ULP against "
        "the scalar reference (" + "; ".join(f"{d}: {how[d]}" for d in dtypes) + ")")
    cols = [(d, t) for d in dtypes for t in tnames]
    out(f"{'op':<34}" + "".join(f"{(d + ' ' + t) if multi else d:>22}" for d, t in cols))
    ok = True
    t0 = time.perf_counter()
    for name in names:
        cells = []
        for d in dtypes:
            bound = _reference.ULP_BOUNDS[name][d]

            def progress(frac, name=name, d=d, tty=_isatty(err), shown=[-1]):
                line = f"  {name} {d}: {100 * frac:5.1f}%  ({time.perf_counter() - t0:.0f} s)"
                if tty:  # one line, rewritten in place
                    err.write("\r" + line)
                elif int(10 * frac) > shown[0]:  # a log: whole lines, every 10%
                    shown[0] = int(10 * frac)
                    err.write(line + "\n")
                err.flush()

            if d == "float32" and exhaustive:
                if multi:
                    sweeps = check_f32_exhaustive(name, threads=threads, progress=progress,
                                                  targets=tnames)
                else:
                    sweeps = [check_f32_exhaustive(name, threads=threads, progress=progress)]
                if _isatty(err):
                    err.write("\r" + " " * 60 + "\r")
            for ti, t in enumerate(tnames):
                tgt = t if multi else None
                rng = op_rng(seed, name, d)   # the same inputs for every target
                if d == "float16":
                    e, w, nbad = check_array(name, all_inputs(np.float16), np.float16, rng, target=tgt)
                elif d == "float32" and exhaustive:
                    e, w, nbad = sweeps[ti]
                    if _reference.is_backward(name):  # and random g over sampled inputs
                        x = sample(d, samples, rng)
                        x = x[np.isfinite(x)] if _reference.forward_of(name) else x
                        e2, w2, n2 = check_array(name, x, d, rng=rng, target=tgt)
                        e, w, nbad = (e, w, nbad + n2) if e >= e2 else (e2, w2, nbad + n2)
                else:
                    e, w, nbad = check_array(name, sample(d, samples, rng), d, rng=rng, target=tgt)
                good = nbad == 0 and e <= bound
                ok &= good
                cells.append(f"{e:6.3f} <= {bound} {'PASS' if good else 'FAIL'}")
                if not good:
                    cells[-1] += f" (x={w!r})"
        out(f"{name:<34}" + "".join(f"{c:>22}" for c in cells))
    out(f"({time.perf_counter() - t0:.0f} s)")
    return ok
