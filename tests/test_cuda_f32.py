"""The GPU's float32 bodies (relukit.cuda._f32) against the CPU's float32 kernels,
without a GPU: each body, as the kernel generator writes it, compiled for the
CPU by Numba (float32 operations rounded once, fused multiply-adds where the body
says so, never contracted), must give the CPU ufunc's bits.  (All 2^32 inputs:
``python -m relukit.cuda._f32check --exhaustive``; on a GPU machine,
benchmarks/cuda_exhaustive.py compares the GPU itself.)"""
import numpy as np
import pytest

pytest.importorskip("numba")

from relukit._reference import SAMPLE_PARAMS  # noqa: E402
from relukit.cuda import _f32, _f32check  # noqa: E402
from relukit.cuda._table import ROWS, ufunc_name  # noqa: E402

F32_ROWS = sorted(_f32.F32_ROWS)
F32_GATED = sorted(_f32.F32_GATED)


def _inputs(rng):
    """Random bit patterns (every binade, NaN, infinities, subnormals), a dense
    sweep of [-130, 130] (every branch threshold of the bodies lies in it), and
    the special values."""
    bits = rng.integers(0, 1 << 32, 1 << 18, dtype=np.uint64).astype(np.uint32).view(np.float32)
    sweep = np.linspace(-130.0, 130.0, 1 << 17, dtype=np.float32)
    near = np.array([np.nextafter(np.float32(t), np.float32(d)) for t in
                           (-120, -104, -88, -87, -86, -64, -20, -17, -16, -15, -14.5, -10, -9,
                            -8, -5, -4, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 4, 8, 9, 10, 16, 20)
                     for d in (-np.inf, np.inf)], np.float32)
    spec = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e-45, -1e-45, 1e-38, -1e-38,
                     1e-30, -1e-30, 3e38, -3e38, 1e-7, -1e-7], np.float32)
    return np.concatenate([bits, sweep, near.astype(np.float32), spec])


def _grads(rng, n):
    g = rng.standard_normal(n).astype(np.float32)
    k = np.arange(n)
    g[k % 11 == 0] = np.float32(1.0)
    for j, v in enumerate((0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 1e-30, 3e38, 1e-40)):
        g[k % 97 == j + 1] = np.float32(v)
    return g


@pytest.mark.parametrize("row", F32_ROWS)
def test_float32_body_gives_the_cpu_bits(row):
    rng = np.random.default_rng(sum(map(ord, row)))
    x = _inputs(rng)
    g = _grads(rng, x.size) if ROWS[row][0] == 2 else None
    params = [_f32check.default_params(row)]
    if params[0]:
        params += [SAMPLE_PARAMS.get(ufunc_name(row), params[0])]
        params += [tuple(np.float32(v) * s for v in params[0]) for s in (0.5, 2.0, 3e-3)]
    for ps in params:
        n, bad, dist, ex = _f32check.compare(row, x, g, ps)
        assert bad == 0, f"{row} params={ps}: {bad} of {n} differ (up to {dist} ULP): {ex}"


@pytest.mark.parametrize("row", F32_GATED)
def test_gated_float32_body_gives_the_cpu_bits(row):
    """The activated operand v (glu: its gate b) over random bit patterns, the dense
    sweep and the specials; the partner and g random (normal, log-uniform over
    2^+-40, random bits, with huge, tiny and special values), then partners that put
    the result just below a power of two (where an ULP is smallest relative to it)."""
    from relukit.cuda._table import GATED_ROWS
    rng = np.random.default_rng(sum(map(ord, row)))
    v = _inputs(rng)
    _, p, g = _f32check.gated_operands(rng, v.size)
    k = np.arange(v.size)
    for j, w in enumerate((1.0, -1.0, 0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, 3e38, 1e-30,
                           1e-40, 2.0 ** -149)):
        p[k % 89 == j] = np.float32(w)
        g[k % 83 == j] = np.float32(w)
    glu = row.startswith("glu")
    fwd = row if GATED_ROWS[row][0] == 2 else row[:-4]
    one = np.ones_like(v)
    act = _f32check.gated_body(fwd, one, v) if glu else _f32check.gated_body(fwd, v, one)
    with np.errstate(all="ignore"):
        top = np.exp2(np.ceil(np.log2(np.abs(act)))) * np.float32(1 - 2.0 ** -20) / act
    top = np.where(np.isfinite(top) & (top != 0), top, np.float32(1)).astype(np.float32)
    import relukit._ufuncs as U
    for part in (p, top):
        a, b = (part, v) if glu else (v, part)
        got = _f32check.gated_body(row, a, b, None if GATED_ROWS[row][0] == 2 else g)
        with np.errstate(all="ignore"):
            cpu = U.GATED_UFUNCS[ufunc_name(row)](*((a, b) if GATED_ROWS[row][0] == 2 else (g, a, b)))
        got, cpu = (got,) if GATED_ROWS[row][0] == 2 else got, (cpu,) if GATED_ROWS[row][0] == 2 else cpu
        for k, (y, r) in enumerate(zip(got, cpu)):
            differ = (y.view(np.uint32) != r.view(np.uint32)) & ~(np.isnan(y) & np.isnan(r))
            if k == 0 and GATED_ROWS[row][0] == 3 and not glu:
                # the CPU's known exception (README, Semantics): grad_a = g b act'(a) where g b
                # is 0 or underflows is a zero of either sign; the body's is the product's
                with np.errstate(all="ignore"):
                    dact = {"swiglu": "silu_backward", "geglu": "gelu_backward",
                            "geglu_tanh": "gelu_tanh_backward"}[fwd]
                    want = np.signbit(g) ^ np.signbit(b) ^ np.signbit(
                        U.UFUNCS[dact](np.ones_like(v), v))
                    zero = (y == 0) & (r == 0) & (np.abs(g.astype(np.float64) * b) < 2.0 ** -126)
                assert not np.any(zero & differ & (np.signbit(y) != want)), row
                differ &= ~zero
            i = np.flatnonzero(differ)
            assert i.size == 0, (f"{row}[{k}]: {i.size} of {y.size} differ: a={a[i[:4]]} "
                                 f"b={b[i[:4]]} g={g[i[:4]]} body={y[i[:4]]} cpu={r[i[:4]]}")


def test_the_check_sees_a_fused_operation_too_few(monkeypatch):
    """The check can fail: silu's exponential with the CPU's two fused multiply-adds
    of the reduction written as separate operations differs on a few inputs."""
    lo = "-K(1.428606765330187e-06)"
    old = _f32.F32_HELPERS["exp_red"]
    new = old.replace(f"r = fma(m, {lo}, r1)", f"r = r1 + m * {lo}").replace(
        f"d = fma(m, {lo}, r1 - r)", f"d = r1 - r + m * {lo}")
    assert new != old
    monkeypatch.setitem(_f32.F32_HELPERS, "exp_red", new)
    monkeypatch.setattr(_f32check, "_COMPILED", {})
    x = np.random.default_rng(0).integers(0, 1 << 32, 1 << 22, dtype=np.uint64).astype(
        np.uint32).view(np.float32)
    assert _f32check.compare("silu", x)[1] > 0


def test_every_float_operation_is_made_explicit():
    assert _f32.explicit("y = a * b + c / d - e").strip() == \
        "y = SUB(ADD(MUL(a, b), DIV(c, d)), e)"
    assert _f32.explicit("y += a * b").strip() == "y = ADD(y, MUL(a, b))"
    assert _f32.explicit("y = fma(-a, b, c) if a > b else -c").strip() == \
        "y = fma(-a, b, c) if a > b else -c"
    with pytest.raises(ValueError, match="integer helper"):
        _f32.explicit("i = (j << 2) % 7")
    src = _f32.f32_source("silu")
    assert " * " not in src.split("def f(")[1] and " / " not in src.split("def f(")[1]


def test_the_dtypes_that_use_the_float32_bodies():
    for row, (_, f16) in _f32.F32_ROWS.items():
        assert row in ROWS and ROWS[row][2] == "math"
        assert _f32.uses_f32(row, "float32") and _f32.uses_f32(row, "bfloat16")
        assert _f32.uses_f32(row, "float16") == f16
        assert not _f32.uses_f32(row, "float64")
    assert not _f32.uses_f32("relu", "float32")


def test_every_constant_of_the_bodies_is_the_cpus():
    """Each float constant of the float32 bodies is one the CPU's kernels use (a
    literal of src/, whose generated headers have their generators in relukit/_fit*.py
    and are checked by tests/test_fit.py), or the float32 low part of one (a hi + lo
    split, as the C code forms them), or a plain value (a power of two, an integer
    below 2^24, FLT_MAX): no constant typed in by hand."""
    import glob
    import math
    import os
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    num = re.compile(r"(?<![\w.])(0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][-+]?\d+|\d+\.\d*"
                     r"(?:[eE][-+]?\d+)?|\d*\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)[fF]?")
    known = set()
    files = glob.glob(os.path.join(root, "src", "*.[ch]")) + \
        glob.glob(os.path.join(root, "src", "simd", "*.h"))
    assert files
    for f in files:
        with open(f) as fh, np.errstate(over="ignore"):  # float64 literals beyond float32
            for m in num.finditer(fh.read()):
                t = m.group(1)
                v = float.fromhex(t) if t.lower().startswith("0x") else float(t)
                known.add(abs(float(np.float32(v))))
                known.add(abs(float(np.float32(v - float(np.float32(v))))))

    def plain(a):
        return a == 0 or math.isinf(a) or a == float(np.finfo(np.float32).max) or \
            math.frexp(a)[0] == 0.5 or (a == int(a) and a < 2 ** 24)
    stray = {}
    for row in F32_ROWS + F32_GATED:
        for m in re.finditer(r"\bK\(\s*(-?[0-9.eE+-]+)\s*\)", _f32.f32_source(row)):
            a = abs(float(np.float32(float(m.group(1)))))
            if not (plain(a) or a in known):
                stray.setdefault(row, set()).add(m.group(1))
    assert not stray, stray


def test_the_fma_targets_give_the_same_bits():
    """The float32 bodies mirror the CPU's FMA targets, avx2 and avx512, which must give
    the same bits on every row with a body (the float16 loops go through the same
    float32 kernels): the sample inputs of the other FMA target this CPU runs, in a
    process of its own, against this process's (a target without FMA rounds
    differently and is not mirrored)."""
    import os
    import subprocess
    import sys

    import relukit._ufuncs as U
    fma = [t for t in ("avx2", "avx512") if t in U.SUPPORTED_TARGETS]
    if U.TARGET not in fma or len(fma) < 2:
        pytest.skip(f"one FMA target runs here ({U.SUPPORTED_TARGETS}, in use: {U.TARGET})")
    other = next(t for t in fma if t != U.TARGET)
    code = ("import sys\n"
            "sys.path.insert(0, %r)\n"
            "import test_cuda_f32 as T\n"
            "print(T._digest())\n") % os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ, RELUKIT_TARGET=other), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[-1] == _digest(), f"{U.TARGET} and {other} differ"


def _digest():
    """A hash of every float32-body row's CPU results on the sample inputs (every NaN
    as one pattern: the targets' NaN payloads may differ, as the GPU's may)."""
    import hashlib

    import relukit._ufuncs as U
    h = hashlib.sha256()
    rng = np.random.default_rng(7)
    x = _inputs(rng)
    g = _grads(rng, x.size)
    for row in F32_ROWS:
        y = _f32check.cpu_kernel(row, x, g if ROWS[row][0] == 2 else None,
                                 _f32check.default_params(row))
        h.update(np.where(np.isnan(y), np.float32(np.nan), y).tobytes())
    _, p, gg = _f32check.gated_operands(rng, x.size)
    with np.errstate(all="ignore"):
        for row in F32_GATED:
            uf = U.GATED_UFUNCS[ufunc_name(row)]
            out = uf(x, p) if uf.nin == 2 else uf(gg, x, p)
            for o in (out if isinstance(out, tuple) else (out,)):
                h.update(np.where(np.isnan(o), np.float32(np.nan), o).tobytes())
    return h.hexdigest()


def test_every_transcendental_row_has_a_float32_body():
    """DESIGN's contract: the GPU's float32 kernels mirror the CPU's float32 ones, so
    a transcendental row (one-operand or gated) added without its float32 body fails."""
    from relukit.cuda._table import GATED_ROWS
    math_rows = {r for r, v in ROWS.items() if v[2] == "math"}
    gated = {r for r, v in GATED_ROWS.items() if v[2] == "math"}
    assert math_rows == set(F32_ROWS), math_rows ^ set(F32_ROWS)
    assert gated == set(F32_GATED), gated ^ set(F32_GATED)
