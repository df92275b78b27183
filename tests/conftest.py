"""Shared helpers for relukit's tests (kept inside tests/, not at the repo root)."""
import numpy as np
import pytest

FLOATS = (np.float16, np.float32, np.float64)
# Every length 0..2*64+16+3: on the widest target (AVX-512: 16 float32 lanes, float16
# computed in float32 lanes, the body unrolled 4x = 64 elements) two passes of the
# unrolled body, then the one-vector loop, then every masked tail; on narrower targets
# more of each.
LENGTHS = range(0, 2 * 64 + 16 + 4)


def assert_same(got, want, what=""):
    """Equal as values, NaN == NaN, and the sign of zero must match."""
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    nan_ok = np.isnan(got) & np.isnan(want) if got.dtype.kind == "f" else np.zeros(got.shape, bool)
    same = (got == want) & (np.signbit(got) == np.signbit(want))
    bad = ~(same | nan_ok)
    if bad.any():
        idx = np.argwhere(bad)[:5]
        details = ", ".join(f"{tuple(i)}: got {got[tuple(i)]!r} want {want[tuple(i)]!r}" for i in idx)
        raise AssertionError(f"{what}: {int(bad.sum())} of {got.size} differ ({details})")


def special_values(dtype):
    fi = np.finfo(dtype)
    return np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0,
                     float(fi.tiny), -float(fi.tiny), float(fi.max), -float(fi.max),
                     float(fi.smallest_subnormal), -float(fi.smallest_subnormal),
                     float(fi.eps), -float(fi.eps)], dtype=dtype)


def random_values(dtype, n, rng):
    """Both signs, magnitudes over many binades, with special values mixed in."""
    x = rng.choice([-1.0, 1.0], n) * np.exp2(rng.uniform(-16, 10, n))
    x = x.astype(dtype)
    sv = special_values(dtype)
    pos = rng.integers(0, max(n, 1), size=min(n, len(sv)))
    x[pos] = sv[: len(pos)]
    return x


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(params=FLOATS, ids=lambda d: np.dtype(d).name)
def fdtype(request):
    return request.param


# The gated family (relukit.glu, reglu, geglu, swiglu and their backwards): two
# operands and a split form op(x, axis=-1), two gradients; their calling conventions,
# bad input, Dask and leaks are tested in test_gated.py, not by the tables of the
# one-operand ops.
GATED = frozenset({"glu", "glu_backward", "reglu", "reglu_backward", "geglu", "geglu_backward",
                   "swiglu", "swiglu_backward"})


def public_ops():
    """The activation ops among relukit.__all__: the ufuncs and the wrappers of
    relukit._api (configuration functions such as show_config, and
    __version__, are not ops)."""
    import relukit

    def is_op(name):
        obj = getattr(relukit, name)
        return isinstance(obj, np.ufunc) or getattr(obj, "__module__", "") in ("relukit", "relukit._api")

    return [n for n in relukit.__all__ if is_op(n)]




def table_calls():
    """Every variant of the op table's generated ops, for the tables of the tests:
    ``{label: (is backward, function, parameters, keywords)}`` with valid parameters
    (the table's sample parameters, else its defaults): the op, its backward, the
    backward with from_output=True where the table allows it, each other value of a
    choice (gelu[tanh]), and the alias (swish)."""
    import relukit
    from relukit._optable import OPS, REQUIRED, FromOutput

    out = {}
    for op in OPS:
        if op.kind == "custom":
            continue
        f, b = getattr(relukit, op.name), getattr(relukit, op.backward)
        if op.choice is not None:
            fp, bp = [], []
        else:
            fp = list(op.sample) if op.sample is not None else [p.default for p in op.params]
            bp = list(op.bsample) if op.bsample is not None else [p.default for p in op.bwd_params]
            assert REQUIRED not in fp + bp, op.name  # an op with a required parameter needs samples
        out[op.name] = (False, f, fp, {})
        out[op.backward] = (True, b, bp, {})
        fo = op.from_output
        if isinstance(fo, FromOutput):
            kw = {"from_output": True}
            if fo.require and fo.require[1] == "value<=":
                kw["value"] = bp[0] - 1.0
            out[op.backward + "[from_output]"] = (True, b, bp, kw)
        if op.choice is not None:
            for v in op.choice[2]:
                if v != op.choice[1]:
                    out[f"{op.name}[{v}]"] = (False, f, [v], {})
                    out[f"{op.backward}[{v}]"] = (True, b, [v], {})
        if op.alias:
            out[op.alias] = (False, getattr(relukit, op.alias), fp, {})
            out[op.alias + "_backward"] = (True, getattr(relukit, op.alias + "_backward"), bp, {})
    return out
