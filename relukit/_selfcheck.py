"""Self-check and quick benchmark behind ``python -m relukit``."""
import time

import numpy as np

from relukit import _reference, _ufuncs

FLOAT_DTYPES = (np.float16, np.float32, np.float64)


def special_values(dtype):
    """Values every op must get right: signed zeros, infinities, NaN, the
    smallest and largest finite numbers, subnormals, and values near kinks."""
    fi = np.finfo(dtype)
    vals = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 0.5, -0.5,
            float(fi.tiny), -float(fi.tiny), float(fi.max), -float(fi.max),
            float(fi.smallest_subnormal), -float(fi.smallest_subnormal),
            float(fi.eps), -float(fi.eps), 3.0, -3.0, 6.0, -6.0, 20.0, -20.0]
    return np.array(vals, dtype=dtype)


def sample_inputs(dtype, n, rng):
    """Special values plus n values spread over many binades, both signs."""
    mag = np.exp2(rng.uniform(-20, 12, size=n))
    sign = rng.choice([-1.0, 1.0], size=n)
    x = (sign * mag).astype(dtype)
    return np.concatenate([special_values(dtype), x])


def bits_equal(a, b):
    """Equal values, with NaN equal to NaN and the sign of zero significant."""
    a = np.asarray(a)
    b = np.asarray(b)
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) & (np.signbit(a) == np.signbit(b))
    return both_nan | same


def check_op(name, dtype, rng, n=20000):
    """Compare ufunc `name` in `dtype` with the float64 reference, within the
    published ULP bound; returns (ok, max ULP error, number of elements)."""
    uf = _ufuncs.UFUNCS[name]
    ref = _reference.REFERENCES[name]
    params = _reference.SAMPLE_PARAMS.get(name, ())
    x = sample_inputs(dtype, n, rng)
    fwd = _reference.forward_of(name)
    if fwd:  # from-output gradients take the forward's outputs
        with np.errstate(all="ignore"):
            x = _ufuncs.UFUNCS[fwd](x, *(np.asarray(p, dtype=dtype) for p in params))
    if _reference.is_backward(name):
        g = sample_inputs(dtype, n, rng)
        rng.shuffle(g)
        arrays = (g, rng.permutation(x))
    else:
        arrays = (x,)
    with np.errstate(all="raise"):
        got = uf(*arrays, *params)
        strided = uf(*(a[::-1] for a in arrays), *params)[::-1]
        # the same parameters as arrays take the array-parameter route
        as_arrays = [np.full(x.shape, p, dtype=dtype) for p in params]
        via_arrays = uf(*arrays, *as_arrays)
    want = ref(*arrays, *(np.asarray(p, dtype=dtype) for p in params), dtype=dtype)
    err = _reference.ulp_error(got, want, dtype, g=arrays[0] if len(arrays) == 2 else None,
                               op=name, x=arrays[-1])
    bound = _reference.ULP_BOUNDS[name][np.dtype(dtype).name]
    if bound == 0:  # exact ops: bit-equal to the reference rounded to dtype
        with np.errstate(all="ignore"):
            exact = bits_equal(got, want.astype(dtype))
        err = np.where(exact, 0.0, np.maximum(err, 0.5))
    routes_agree = bits_equal(strided, got).all() and bits_equal(via_arrays, got).all()
    return bool(err.max(initial=0) <= bound and routes_agree), float(err.max(initial=0)), got.size


def check_gated_op(name, dtype, rng, n=20000):
    """Compare gated ufunc `name` (forward ``(a, b) -> y``, backward
    ``(g, a, b) -> (ga, gb)``) in `dtype` with the reference within the published
    bound: the activated operand (a; glu: b) takes sample_inputs, the other operand
    and g the same values shuffled; the reversed-stride route and the other operand
    broadcast from one value (stride 0) must give the bits of the contiguous call.
    Returns (ok, max error in ULP over both gradients, number of elements)."""
    uf = _ufuncs.GATED_UFUNCS[name]
    bwd = name.endswith("_backward")
    x = sample_inputs(dtype, n, rng)
    other, g = rng.permutation(x), rng.permutation(x)
    if bwd and np.dtype(dtype) == np.float64:
        # the float64 gradients' bound holds where g*b and g*a are within the float64
        # range (README; as `verify`): magnitudes above 2^511 scaled down
        x, other, g = (np.where(np.abs(v) > 2.0 ** 511, v * 2.0 ** -600, v) for v in (x, other, g))
    act = _reference.gated_activated(name.removesuffix("_backward"))
    ops = (other, x) if act else (x, other)
    ops = (g, *ops) if bwd else ops
    k = len(ops) - 1 - act  # the other operand's index in ops
    one = ops[k][np.flatnonzero(np.isfinite(ops[k]) & (ops[k] != 0))[0]]
    with np.errstate(all="raise"):
        got = uf(*ops)
        strided = uf(*(o[::-1] for o in ops))
        bops = list(ops)
        bops[k] = np.asarray(one, dtype=dtype)  # 0-d: the stride-0 route
        bcast = uf(*bops)
        bops[k] = np.full(x.shape, one, dtype=dtype)
        full = uf(*bops)
    got, strided, bcast, full = (r if bwd else (r,) for r in (got, strided, bcast, full))
    err = _reference.gated_error(name, ops, got if bwd else got[0], dtype)
    bound = _reference.ULP_BOUNDS[name][np.dtype(dtype).name]
    routes_agree = all(bits_equal(s[::-1], r).all() and bits_equal(b, f).all()
                       for s, r, b, f in zip(strided, got, bcast, full))
    return bool(err.max(initial=0) <= bound and routes_agree), float(err.max(initial=0)), x.size


def run_selfcheck(seed=0, out=print):
    rng = np.random.default_rng(seed)
    all_ok = True
    for name in sorted({**_ufuncs.UFUNCS, **_ufuncs.GATED_UFUNCS}):
        check = check_gated_op if _reference.is_gated(name) else check_op
        for dtype in FLOAT_DTYPES:
            ok, maxerr, total = check(name, dtype, rng)
            all_ok &= ok
            status = "PASS" if ok else "FAIL"
            bound = _reference.ULP_BOUNDS[name][np.dtype(dtype).name]
            out(f"  {status}  {name:<21} {np.dtype(dtype).name:<8} {total} inputs, "
                f"max error {maxerr:.3g} ULP (bound {bound})")
    return all_ok


def _time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


# untimed calls (seconds) before each timed block where other libraries are
# timed too: PyTorch's OpenMP threads spin for 5-20 ms after each op (measured
# here), holding the cores relukit's threads need; timed right after a torch
# call, relukit's 2-thread calls ran at about half speed
WARM_S = 0.03


def median_times(fns, repeats=7, inner=1, warm=False):
    """Median wall time of each callable, interleaved run by run so that noise
    hits all of them alike.  warm: untimed calls before each timed block, which
    absorb what the previous library left behind (its pool's threads still
    spinning, a cold cache): True for one call, a number of seconds to keep
    calling for that long (at least once).  PyTorch's OpenMP threads spin for
    milliseconds after each parallel op and take the cores another library's
    threads need: one call is not enough there."""
    return [float(np.median(t)) for t in sample_times(fns, repeats, inner, warm)]


def sample_times(fns, repeats=7, inner=1, warm=False):
    """The timings behind median_times: one list of `repeats` times per callable."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            if warm:
                t_end = time.perf_counter() + (warm if warm is not True else 0.0)
                fn()
                while time.perf_counter() < t_end:
                    fn()
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            times[i].append((time.perf_counter() - t0) / inner)
    return times


def run_quickbench(out=print, sizes=(10**3, 10**4, 10**5, 10**6, 10**7), dtype=np.float32):
    relu = _ufuncs.UFUNCS["relu"]
    out(f"  {'size':>10}  {'relukit relu':>14}  {'np.maximum(x, 0)':>17}  {'ratio':>6}   "
        f"(float32, out= preallocated, median; ratio = numpy / relukit)")
    rng = np.random.default_rng(1)
    for n in sizes:
        x = rng.standard_normal(n).astype(dtype)
        buf = np.empty_like(x)
        inner = max(1, 20000 // n)
        t_rk, t_np = median_times(
            [lambda: relu(x, out=buf), lambda: np.maximum(x, 0, out=buf)],
            repeats=9, inner=inner)
        out(f"  {n:>10}  {t_rk * 1e6:>11.1f} us  {t_np * 1e6:>14.1f} us  {t_np / t_rk:>6.2f}")
