"""Arrays of more than 2^31 elements: sizes and offsets are 64-bit everywhere.

Marked ``slow`` (deselected by default; needs ~9 GB of memory and a minute or
two). Run them by name::

    pytest -m slow tests/test_big.py
"""
import numpy as np
import pytest

import relukit
from relukit._reference import ULP_BOUNDS, reference, ulp_error

pytestmark = pytest.mark.slow

# more than 2^31 (and 2^31 + 2^16 is past the signed 32-bit limit by a margin),
# odd so that the masked tail of every vector width is exercised at the very end
N = (1 << 31) + (1 << 16) + 7
EDGE = 1 << 31
BLOCK = 1 << 26  # elements per block when a whole-array check would need a big temporary


def _probe_indices(n):
    """Indices at both ends and on both sides of 2^31 (and 2^32 when in range)."""
    idx = set(range(0, 70)) | set(range(n - 70, n))
    for edge in (EDGE, 1 << 32):
        idx |= {i for i in range(edge - 70, edge + 70) if 0 <= i < n}
    return np.array(sorted(idx), dtype=np.int64)


def _plant(x, idx, rng, lo, hi):
    """Distinct values at the probe indices, so a wrong offset shows."""
    vals = rng.uniform(lo, hi, idx.size).astype(x.dtype)
    x[idx] = vals
    return vals


def _check_blocks(y, want_default, skip_idx, what):
    """Every element outside the probe indices equals `want_default`, checked in
    blocks (no temporary the size of the array)."""
    mask_pos = np.sort(skip_idx)
    for start in range(0, y.size, BLOCK):
        stop = min(start + BLOCK, y.size)
        blk = y[start:stop]
        bad = blk != want_default
        inside = mask_pos[(mask_pos >= start) & (mask_pos < stop)] - start
        bad[inside] = False
        if bad.any():
            first = start + int(np.argmax(bad))
            raise AssertionError(f"{what}: element {first} is {y[first]!r}, want {want_default!r}")


def test_int8_relu_allocating_over_2_31():
    rng = np.random.default_rng(1)
    x = np.full(N, -3, dtype=np.int8)
    idx = _probe_indices(N)
    x[idx] = rng.integers(-128, 128, idx.size, dtype=np.int8)
    y = relukit.relu(x)
    assert y.dtype == np.int8 and y.shape == (N,)
    np.testing.assert_array_equal(y[idx], np.maximum(x[idx], 0))
    _check_blocks(y, np.int8(0), idx, "int8 relu")
    del y
    # a strided view of more than 2^31 elements (every other one of 2^32 + 14):
    # the strided route, with byte offsets past 2^32
    del x
    xs = np.full(2 * N, 5, dtype=np.int8)
    xs[1::2] = -7
    view = xs[::2]
    sidx = _probe_indices(view.size)
    view[sidx] = rng.integers(-128, 128, sidx.size, dtype=np.int8)
    out = relukit.relu(view)
    np.testing.assert_array_equal(out[sidx], np.maximum(view[sidx], 0))
    _check_blocks(out, np.int8(5), sidx, "int8 relu, strided")
    np.testing.assert_array_equal(xs[1::2][sidx], -7)  # the odd elements were not touched


def test_float16_relu_over_2_31():
    rng = np.random.default_rng(2)
    x = np.full(N, -1.5, dtype=np.float16)
    idx = _probe_indices(N)
    _plant(x, idx, rng, -10, 10)
    y = relukit.relu(x)
    assert y.dtype == np.float16
    np.testing.assert_array_equal(y[idx], np.where(x[idx] < 0, 0, x[idx]).astype(np.float16))
    _check_blocks(y, np.float16(0), idx, "float16 relu")


def test_float32_mish_in_place_over_2_31():
    rng = np.random.default_rng(3)
    x = np.full(N, -1.25, dtype=np.float32)
    idx = _probe_indices(N)
    vals = _plant(x, idx, rng, -30, 30)
    out = relukit.mish(x, out=x)
    assert out is x
    want = reference("mish", vals.astype(np.float64), dtype=np.float32)
    err = ulp_error(x[idx], want, np.float32)
    bound = ULP_BOUNDS["mish"]["float32"]
    assert err.max() <= bound, f"mish at index {idx[np.argmax(err)]}: {err.max()} ULP"
    default = relukit.mish(np.float32(-1.25))
    assert ulp_error(default, reference("mish", np.float64(-1.25), dtype=np.float32), np.float32) <= bound
    _check_blocks(x, default, idx, "float32 mish in place")
