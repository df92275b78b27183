"""Every float ufunc of the kernel list, generically: each is checked against
the scalar C reference (double, or long double for float64 results) within its
published bound, on every length 0..147 (conftest.LENGTHS), strides, scalar and array parameters
(identical bits), special values, in place, and all 65536 float16 inputs.
The kernel-file modules (test_piecewise.py, test_exponential.py, ...) add what
is particular to their ops."""
import zlib

import numpy as np
import pytest
from conftest import LENGTHS, assert_same, random_values, special_values

from relukit import _reference, _ufuncs



# parameters as scalars (scalar-parameter kernel) and as arrays (array-parameter
# kernel), which must give identical bits.
ALL_UFUNCS = sorted(_ufuncs.UFUNCS)


def reference_check(name, arrays, params, dtype):
    uf = _ufuncs.UFUNCS[name]
    with np.errstate(all="raise"):
        got = uf(*arrays, *params)
    want = _reference.reference(name, *arrays, *(np.asarray(p, dtype=dtype) for p in params),
                                dtype=dtype)
    bound = _reference.ULP_BOUNDS[name][np.dtype(dtype).name]
    if bound == 0:
        with np.errstate(invalid="ignore"):
            assert_same(got, want.astype(dtype), f"{name} {np.dtype(dtype).name}")
    else:
        err = _reference.ulp_error(got, want, dtype, g=arrays[0] if len(arrays) == 2 else None,
                                   op=name, x=arrays[-1])
        worst = int(np.argmax(err)) if err.size else 0
        assert err.max(initial=0) <= bound, (
            f"{name} {np.dtype(dtype).name}: {err.max():.3g} ULP > {bound} at "
            f"{[a.ravel()[worst] for a in arrays]}")
    return got


def make_arrays(name, dtype, n, rng):
    x = random_values(dtype, n, rng)
    fwd = _reference.forward_of(name)
    if fwd:  # from-output gradients take the forward's outputs
        params = [np.asarray(p, dtype=dtype) for p in _reference.SAMPLE_PARAMS.get(name, ())]
        with np.errstate(all="ignore"):
            x = _ufuncs.UFUNCS[fwd](x, *params)
    if name.endswith("_backward") or fwd:
        return (random_values(dtype, n, rng), x)
    return (x,)


@pytest.mark.parametrize("name", ALL_UFUNCS)
def test_every_ufunc_every_length(name, fdtype, rng):
    params = _reference.SAMPLE_PARAMS.get(name, ())
    for n in LENGTHS:
        arrays = make_arrays(name, fdtype, n, rng)
        got = reference_check(name, arrays, params, fdtype)
        if params:
            as_arrays = [np.full(n, p, dtype=fdtype) for p in params]
            assert_same(_ufuncs.UFUNCS[name](*arrays, *as_arrays), got, f"{name} array params n={n}")


@pytest.mark.parametrize("name", ALL_UFUNCS)
@pytest.mark.parametrize("stride", [-3, -1, 2, 4])
def test_every_ufunc_strided(name, fdtype, stride, rng):
    params = _reference.SAMPLE_PARAMS.get(name, ())
    arrays = make_arrays(name, fdtype, 700, rng)
    contiguous = _ufuncs.UFUNCS[name](*arrays, *params)
    views = [a[::stride] for a in arrays]
    got = _ufuncs.UFUNCS[name](*views, *params)
    assert_same(got, contiguous[::stride], f"{name} stride {stride}")
    if params:
        # strided parameter arrays take the gather route of the array kernel
        parr = [np.full(700 * abs(stride), p, dtype=fdtype)[::stride][:len(got)] for p in params]
        assert_same(_ufuncs.UFUNCS[name](*views, *parr), got, f"{name} strided params")


@pytest.mark.parametrize("name", ALL_UFUNCS)
def test_every_ufunc_specials_and_in_place(name, fdtype):
    params = _reference.SAMPLE_PARAMS.get(name, ())
    sv = special_values(fdtype)
    fwd = _reference.forward_of(name)
    if fwd:
        # from-output gradients are defined on the forward's outputs
        with np.errstate(all="ignore"):
            sv = _ufuncs.UFUNCS[fwd](sv, *params)
    if name.endswith("_backward") or fwd:
        # every pairing of special gradients and special inputs
        g, x = np.meshgrid(sv, sv)
        arrays = (g.ravel(), x.ravel())
    else:
        arrays = (sv,)
    got = reference_check(name, arrays, params, fdtype)
    x = arrays[-1].copy()
    _ufuncs.UFUNCS[name](*arrays[:-1], x, *params, out=x)
    assert_same(x, got, f"{name} in place")
    # NaN in gives NaN out
    xs = arrays[-1]
    assert np.isnan(got[np.isnan(xs)]).all(), f"{name}: NaN input lost"
    assert not np.isnan(got[~np.isnan(xs) & ~np.isnan(arrays[0])]).any(), f"{name}: NaN from non-NaN"


@pytest.mark.parametrize("name", ALL_UFUNCS)
def test_all_float16_inputs(name):
    # every float16 bit pattern (signalling NaNs included), under errstate(all='raise')
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    params = _reference.SAMPLE_PARAMS.get(name, ())
    bwd = name.endswith("_backward") or _reference.forward_of(name)
    arrays = (np.ones_like(x), x) if bwd else (x,)
    reference_check(name, arrays, params, np.float16)




TAILS = {np.float16: (-104.0, -16.0), np.float32: (-104.0, -16.0), np.float64: (-745.0, -20.0)}


@pytest.mark.parametrize("name", [n for n in ALL_UFUNCS if _reference.ULP_BOUNDS[n]["float32"]
                                  and not _reference.forward_of(n)])
def test_left_tails(name, fdtype):
    """The left tails, where the exp-like ops end in the subnormals (float32 from
    about -87, float64 from -708): every result within its bound of ULP of the
    result itself (a tail flushed to zero is ~2^23 ULP off), with g = 1 and with
    gradients over 2^+-20 (float16: 2^+-12) that move the results in and out of the normal range."""
    lo, hi = TAILS[fdtype]
    rng = np.random.default_rng(zlib.crc32(f"{name} {np.dtype(fdtype).name}".encode()))
    x = np.concatenate([rng.uniform(lo, hi, 4000), np.linspace(lo, hi, 1001)]).astype(fdtype)
    params = _reference.SAMPLE_PARAMS.get(name, ())
    if name.endswith("_backward"):
        e = 12 if fdtype == np.float16 else 20
        g = (rng.choice([-1.0, 1.0], x.size) * np.exp2(rng.uniform(-e, e, x.size))).astype(fdtype)
        for gg in (np.ones_like(x), g):
            reference_check(name, (gg, x), params, fdtype)
    else:
        reference_check(name, (x,), params, fdtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_a_zero_result_carries_the_references_sign(dtype):
    """Every row (gated ones too), far into the tails where results underflow: a
    result that is zero has the sign of the correctly rounded one (the reference's
    value rounded to dtype), for unit and huge gradients and partners.  (A zero or
    tiny g is a documented exception: README, Semantics.)"""
    xs = np.concatenate([np.linspace(-45.0, -4.0, 4101),   # every path boundary of the tails
                         [-60, -87, -88, -100, -120, -200, -700, -745, -760, -1000, -1e5, -1e10,
                          -1e30, -np.inf, 1e-40, -1e-40, 0.0, -0.0]])
    with np.errstate(all="ignore"):
        x0 = xs.astype(dtype)
    big = float(np.finfo(dtype).max) / 2
    bad, zeros = [], 0
    for name, uf in {**_ufuncs.UFUNCS, **_ufuncs.GATED_UFUNCS}.items():
        if name not in _reference.ULP_BOUNDS:
            continue
        if _reference.is_gated(name):
            act = _reference.gated_activated(name.removesuffix("_backward"))
            cases = []
            for bv in (1.0, -1.0, big):
                b = np.full_like(x0, bv)
                ab = (b, x0) if act else (x0, b)
                cases += ([(np.full_like(x0, gv), *ab) for gv in (1.0, -1.0)]
                          if name.endswith("_backward") else [ab])
            params = ()
        else:
            params = tuple(np.asarray(p, dtype=dtype) for p in _reference.SAMPLE_PARAMS.get(name, ()))
            x = x0
            fwd = _reference.forward_of(name)
            with np.errstate(all="ignore"):
                if fwd:
                    x = _ufuncs.UFUNCS[fwd](x0, *params)
            cases = ([(np.full_like(x, gv), x) for gv in (1.0, -1.0, big, -big)]
                     if _reference.is_backward(name) else [(x,)])
        for ops in cases:
            with np.errstate(all="ignore"):
                got = uf(*ops, *params)
                ref = _reference.reference(name, *ops, *params, dtype=np.dtype(dtype))
            got = got if isinstance(got, tuple) else (got,)
            ref = ref if isinstance(ref, tuple) else (ref,)
            for k, (gk, rk) in enumerate(zip(got, ref)):
                with np.errstate(all="ignore"):
                    rk = np.asarray(rk).astype(dtype)
                z = (gk == 0) & (rk == 0)
                zeros += int(z.sum())
                for i in np.flatnonzero(z & (np.signbit(gk) != np.signbit(rk))):
                    bad.append((name, k, [float(o[i]) for o in ops], float(gk[i])))
    assert zeros > 500
    assert not bad, (sorted({b[0] for b in bad}), len(bad), bad[:10])
