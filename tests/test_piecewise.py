"""relu and relu_backward (src/piecewise.c) against the float64 reference:
every float dtype, every length 0..67, strides -4..4, in place, misaligned,
special values, integer dtypes, no floating-point warnings."""
import numpy as np
import pytest
from conftest import FLOATS, assert_same, random_values, special_values

import relukit
from relukit import _reference

LENGTHS = range(0, 68)
STRIDES = [s for s in range(-4, 5) if s != 0]


def ref_relu(x):
    with np.errstate(invalid="ignore"):  # numpy's own casts flag signalling NaNs
        return _reference.relu(x.astype(np.float64)).astype(x.dtype)


def ref_relu_bwd(g, x):
    with np.errstate(invalid="ignore"):
        return _reference.relu_backward(g.astype(np.float64), x.astype(np.float64)).astype(x.dtype)


def test_loop_types_narrowest_first():
    assert relukit.relu.types[:3] == ["e->e", "f->f", "d->d"]
    assert relukit.relu_backward.types == ["ee->e", "ff->f", "dd->d"]
    assert isinstance(relukit.relu, np.ufunc) and isinstance(relukit.relu_backward, np.ufunc)
    assert (relukit.relu.nin, relukit.relu.nout) == (1, 1)
    assert (relukit.relu_backward.nin, relukit.relu_backward.nout) == (2, 1)


@pytest.mark.parametrize("n", LENGTHS)
def test_relu_every_length(fdtype, n, rng):
    # lengths 0..67 cover the unrolled loop, the one-vector loop and every tail
    x = random_values(fdtype, n, rng)
    with np.errstate(all="raise"):
        y = relukit.relu(x)
    assert_same(y, ref_relu(x), f"relu n={n}")
    g = random_values(fdtype, n, rng)
    with np.errstate(all="raise"):
        gx = relukit.relu_backward(g, x)
    assert_same(gx, ref_relu_bwd(g, x), f"relu_backward n={n}")


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("n", [0, 1, 7, 16, 33, 67, 300, 1000])
def test_relu_strides(fdtype, stride, n, rng):
    base = random_values(fdtype, n * abs(stride) + 3, rng)
    x = base[1::stride] if stride > 0 else base[::stride]
    x = x[:n]
    want = ref_relu(np.ascontiguousarray(x))
    with np.errstate(all="raise"):
        assert_same(relukit.relu(x), want, f"relu stride={stride}")
        # strided output too
        out = np.full(n * abs(stride) + 1, 7, dtype=fdtype)[:: stride][:n]
        relukit.relu(x, out=out)
    assert_same(out, want, f"relu strided out stride={stride}")
    g = random_values(fdtype, len(x), rng)[::-1]
    with np.errstate(all="raise"):
        got = relukit.relu_backward(g, x)
    assert_same(got, ref_relu_bwd(np.ascontiguousarray(g), np.ascontiguousarray(x)),
                f"relu_backward stride={stride}")


def test_relu_broadcast_zero_stride(fdtype):
    x = np.broadcast_to(np.array(-2.5, dtype=fdtype), (50,))
    assert_same(relukit.relu(x), np.zeros(50, fdtype))
    g = np.arange(50, dtype=fdtype)
    assert_same(relukit.relu_backward(g, np.broadcast_to(np.array(1, dtype=fdtype), (50,))), g)


@pytest.mark.parametrize("n", [0, 1, 5, 31, 64, 67, 1000])
def test_relu_in_place(fdtype, n, rng):
    x = random_values(fdtype, n, rng)
    want = ref_relu(x)
    r = relukit.relu(x, out=x)
    assert r is x
    assert_same(x, want, "relu in place")
    g = random_values(fdtype, n, rng)
    x2 = random_values(fdtype, n, rng)
    want = ref_relu_bwd(g, x2)
    relukit.relu_backward(g, x2, out=g)
    assert_same(g, want, "relu_backward in place over g")


@pytest.mark.parametrize("offset", [1, 2, 3, 5])
def test_relu_misaligned_start(fdtype, offset, rng):
    base = random_values(fdtype, 200, rng)
    x = base[offset:]
    out = np.empty(200 + offset, dtype=fdtype)[offset:-offset or None][: len(x)]
    relukit.relu(x, out=out)
    assert_same(out, ref_relu(x), "misaligned")


def test_relu_unaligned_bytes(rng):
    # float32 data starting at an odd byte address
    raw = np.zeros(4 * 100 + 1, dtype=np.uint8)
    x = np.frombuffer(raw.data, dtype=np.float32, count=100, offset=1)
    assert not x.flags.aligned
    vals = random_values(np.float32, 100, rng)
    raw[1:] = vals.view(np.uint8)
    assert_same(relukit.relu(x), ref_relu(vals), "unaligned")


def test_special_values(fdtype):
    x = special_values(fdtype)
    with np.errstate(all="raise"):
        y = relukit.relu(x)
        gx = relukit.relu_backward(np.ones_like(x), x)
    assert_same(y, ref_relu(x), "relu specials")
    assert np.signbit(y[1]) and y[1] == 0, "relu(-0.0) must be -0.0"
    assert np.isnan(y[4]) and np.isnan(y[5])
    assert y[2] == np.inf and y[3] == 0 and not np.signbit(y[3])
    assert_same(gx, ref_relu_bwd(np.ones_like(x), x), "relu_backward specials")
    assert np.isnan(gx[4]) and gx[0] == 0 and gx[1] == 0, "relu'(0) = 0, NaN propagates"


def test_nan_payload_kept():
    x = np.array([0x7FC01234, 0xFFC00042], dtype=np.uint32).view(np.float32)
    y = relukit.relu(x)
    assert (y.view(np.uint32) == x.view(np.uint32)).all()


def test_backward_grad_nan_where_inactive():
    # g is only passed where x > 0: a NaN gradient where x <= 0 is dropped (as in PyTorch)
    g = np.array([np.nan, np.nan, np.nan], np.float32)
    x = np.array([-1.0, 0.0, 1.0], np.float32)
    assert_same(relukit.relu_backward(g, x), np.array([0.0, 0.0, np.nan], np.float32))


def test_no_fp_warnings_any_float16():
    # all 65536 float16 bit patterns, signalling NaNs included
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    with np.errstate(all="raise"):
        y = relukit.relu(x)
        gx = relukit.relu_backward(x, x)
        yf = relukit.relu(x.astype(np.float32))
    assert_same(y, ref_relu(x), "all float16")
    assert_same(gx, ref_relu_bwd(x, x), "all float16 backward")
    assert_same(yf, ref_relu(x.astype(np.float32)), "float16 values in float32")


INT_TYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
             np.uint64, np.intc, np.uintc, np.longlong, np.ulonglong]


@pytest.mark.parametrize("itype", INT_TYPES, ids=lambda t: np.dtype(t).name + np.dtype(t).char)
@pytest.mark.parametrize("n", [0, 1, 13, 64, 131])
def test_relu_integers_keep_dtype(itype, n, rng):
    info = np.iinfo(itype)
    x = rng.integers(info.min, info.max, size=n, dtype=itype, endpoint=True)
    if n:
        x[0] = info.min
    y = relukit.relu(x)
    assert y.dtype == np.dtype(itype)
    want = np.where(x < 0, 0, x).astype(itype)
    np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(relukit.relu(x[::-3]), want[::-3])
    relukit.relu(x, out=x)
    np.testing.assert_array_equal(x, want)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_dtype_preserved(dtype):
    x = np.linspace(-3, 3, 11).astype(dtype)
    assert relukit.relu(x).dtype == dtype
    assert relukit.relu_backward(x, x).dtype == dtype
    assert type(relukit.relu(dtype(-1.5))) is dtype
