"""The gated family (src/gated.c): glu, reglu, geglu (erf and tanh), swiglu, forward
(a, b) -> act(a) * b and the fused backward (g, a, b) -> (grad_a, grad_b).

Checked against the scalar C reference (src/reference.c, libm in double / long
double) within the published bounds, and the reference itself against mpmath;
every length through the unrolled body, the one-vector loop and the masked tail;
the bulk (fast) and the rare-lane paths; strided, broadcast, in-place and where=
calls (the same bits as contiguous); the split form op(x, axis) against the
two-operand form on the halves; special values (NaN, infinities, torch's kinks);
no floating-point warnings; float16 and bfloat16 computed in float32 and rounded
once; errors that name the op and leave out= untouched; Dask; torch's composites.
This module runs under every compiled target (test_dispatch.KERNEL_MODULES).
"""
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import FLOATS, LENGTHS, assert_same, random_values, special_values

import relukit
from relukit import _reference, _selfcheck, _ufuncs

OPS = _reference.GATED_OPS                       # glu, reglu, geglu, geglu_tanh, swiglu
ALL = [n for op in OPS for n in (op, op + "_backward")]
SENTINEL = 7.25


def _uf(name):
    return _ufuncs.GATED_UFUNCS[name]


def _operands(name, dtype, n, rng, bulk=False):
    """(a, b) or (g, a, b): random values over many binades with special values
    mixed in, or (bulk) plain normal values, the activated operand within
    [-8, 8] (no vector leaves the float32 bulk path)."""
    if bulk:
        arrs = [(rng.standard_normal(n) * 3).clip(-7.9, 7.9).astype(dtype) for _ in range(3)]
    else:
        arrs = [random_values(dtype, n, rng) for _ in range(3)]
    return tuple(arrs) if name.endswith("_backward") else tuple(arrs[:2])


def _check(name, ops, dtype, got=None):
    if got is None:
        with np.errstate(all="raise"):
            got = _uf(name)(*ops)
    err = _reference.gated_error(name, ops, got, dtype)
    if np.dtype(dtype) == np.float64 and name.endswith("_backward"):
        # the published domain of the float64 gradients: g*b and g*a within the range
        with np.errstate(all="ignore"):
            g, a, b = (o.astype(np.longdouble) for o in ops)
            inside = (np.abs(g * b) <= np.finfo(np.float64).max) & (np.abs(g * a) <= np.finfo(np.float64).max)
            err = np.where(inside | ~np.isfinite(g * b * a), err, 0.0)
    bound = _reference.ULP_BOUNDS[name][np.dtype(dtype).name]
    worst = int(np.argmax(err)) if err.size else 0
    assert err.max(initial=0) <= bound, (
        f"{name} {np.dtype(dtype).name}: {err.max():.3g} ULP > {bound} at "
        f"{[o.ravel()[worst] for o in ops]}")
    return got


# ---------------------------------------------------------------- accuracy
@pytest.mark.parametrize("name", ALL)
def test_every_length_against_the_reference(name, fdtype, rng):
    for n in LENGTHS:
        _check(name, _operands(name, fdtype, n, rng), fdtype)
        _check(name, _operands(name, fdtype, n, rng, bulk=True), fdtype)


@pytest.mark.parametrize("name", ALL)
def test_many_random_pairs(name, fdtype, rng):
    """Random bit patterns for every operand (every binade, subnormals), and the
    bulk; float64 gradients where g*b, g*a are in range (the published domain)."""
    dt = np.dtype(fdtype)
    n = 20000
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
    ops = []
    for _ in range(3 if name.endswith("_backward") else 2):
        v = rng.integers(0, np.iinfo(uint).max, n, dtype=uint, endpoint=True).view(dt)
        v = np.where(np.isnan(v), dt.type(1.5), v)
        if dt == np.float64 and name.endswith("_backward"):
            v = np.where(np.abs(v) > 2.0 ** 511, v * 2.0 ** -600, v)
        ops.append(v.astype(dt))
    _check(name, tuple(ops), dt)
    _check(name, _operands(name, dt, n, rng, bulk=True), dt)


@pytest.mark.parametrize("name", ALL)
def test_float16_every_activated_value(name, rng):
    x = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    x = x[~np.isnan(x)]
    act = _reference.gated_activated(name.removesuffix("_backward"))
    for other in (np.ones_like(x), rng.permutation(x)):
        ab = (other, x) if act else (x, other)
        ops = (rng.permutation(x), *ab) if name.endswith("_backward") else ab
        _check(name, ops, np.float16)


@pytest.mark.parametrize("name", ALL)
def test_float32_swept_ranges(name):
    """The exhaustive checker (C, `verify --exhaustive`) on the bit patterns of
    [-20, -0.5] and [0.5, 20] in steps: the bulk/rare-lane boundaries (-16, the
    roots of the derivatives) and both signs."""
    bound = _reference.ULP_BOUNDS[name]["float32"]
    for lo_f, hi_f in ((0.5, 20.0), (-0.5, -20.0)):
        lo = int(np.float32(lo_f).view(np.uint32))
        hi = int(np.float32(hi_f).view(np.uint32))
        for start in range(lo, hi, (hi - lo) // 8):
            err, worst, nbad = _ufuncs.verify_f32_range(name, start, start + 20000, 0, 0, 1.0,
                                                        bound == 0, float(bound))
            assert nbad == 0 and err <= bound, (name, err, np.uint32(worst).view(np.float32))


def test_reference_against_mpmath():
    """The scalar reference itself (double and long double) against mpmath at 50 digits."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50

    def sig(v):
        return 1 / (1 + mp.exp(-v))

    def gelu(v):
        return v * mp.ncdf(v)

    def dgelu(v):
        return mp.ncdf(v) + v * mp.npdf(v)

    def gt(v):
        return v * sig(2 * mp.sqrt(2 / mp.pi) * (v + mp.mpf("0.044715") * v ** 3))

    acts = {"swiglu": (lambda v: v * sig(v), lambda v: sig(v) * (1 + v * (1 - sig(v)))),
            "geglu": (gelu, dgelu), "geglu_tanh": (gt, lambda v: mp.diff(gt, v)),
            "reglu": (lambda v: max(v, 0), lambda v: 1 if v > 0 else 0)}
    for a in (-30.5, -7.25, -1.28, -0.75, -1e-3, 0.3, 2.5, 9.0):
        for b in (1.0, -3.5e-7, 2e5):
            g = 0.75
            for op, (f, d) in acts.items():
                want = f(mp.mpf(a)) * b
                want_ga = g * b * d(mp.mpf(a))
                want_gb = g * f(mp.mpf(a))
                for work, rel in ((np.float64, 1e-13), (np.longdouble, 1e-16)):
                    ar, br, gr = (np.array(v, dtype=work) for v in (a, b, g))
                    y = _ufuncs.REFERENCE_UFUNCS[op](ar, br)
                    ga, gb = _ufuncs.REFERENCE_UFUNCS[op + "_backward"](gr, ar, br)
                    for got, w in ((y, want), (ga, want_ga), (gb, want_gb)):
                        assert abs(mp.mpf(str(got)) - w) <= rel * abs(w) + 1e-300, (op, a, b, got, w)
            # glu: a * sigmoid(b) with the gate b
            gw = mp.mpf(b)
            y = _ufuncs.REFERENCE_UFUNCS["glu"](np.float64(a), np.float64(b))
            assert abs(mp.mpf(float(y)) - a * sig(gw)) <= 1e-13 * abs(a * sig(gw)) + 1e-300
            ga, gb = _ufuncs.REFERENCE_UFUNCS["glu_backward"](np.float64(g), np.float64(a), np.float64(b))
            wgb = g * a * sig(gw) * (1 - sig(gw))
            assert abs(mp.mpf(float(gb)) - wgb) <= 1e-13 * abs(wgb) + 1e-300, (a, b, gb, wgb)


# ---------------------------------------------------------------- routes give the same bits
def _same(got, want, what):
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        assert_same(g, w, what)


@pytest.mark.parametrize("name", ALL)
def test_strided_and_broadcast_calls_give_the_same_bits(name, fdtype, rng):
    n = 300
    ops = _operands(name, fdtype, n, rng)
    uf = _uf(name)
    want = uf(*ops)
    for step in (-4, -3, -1, 2, 3):
        big = [np.zeros(n * abs(step), dtype=fdtype) for _ in ops]
        views = []
        for bgv, o in zip(big, ops):
            v = bgv[::step][:n] if step > 0 else bgv[::step][:n]
            v[...] = o
            views.append(v)
        _same(uf(*views), want, f"{name} stride {step}")
    # out= strided, and a broadcast scalar operand against the array route
    scalar = tuple(o if k else o[:1] for k, o in enumerate(ops))
    bcast = uf(*scalar)
    full = uf(*(np.broadcast_to(o, (n,)).copy() for o in scalar))
    _same(bcast, full, f"{name} broadcast")


@pytest.mark.parametrize("name", ALL)
def test_in_place_out_and_where(name, fdtype, rng):
    ops = _operands(name, fdtype, 77, rng)
    uf = _uf(name)
    want = uf(*ops)
    nout = uf.nout
    # in place: the result into the (first) activated operand / both inputs
    cp = [o.copy() for o in ops]
    outs = tuple(cp[-nout - 1 + k] if nout == 2 else cp[0] for k in range(nout)) if nout == 2 else cp[0]
    if nout == 2:
        got = uf(*cp, out=(cp[1], cp[2]))
        _same(got, want, f"{name} in place")
        assert got[0] is cp[1] and got[1] is cp[2]
    else:
        got = uf(*cp, out=outs)
        _same(got, want, f"{name} in place")
    mask = rng.random(77) < 0.5
    fill = [np.full(77, SENTINEL, dtype=fdtype) for _ in range(nout)]
    uf(*ops, out=tuple(fill), where=mask)
    for f, w in zip(fill, want if nout == 2 else (want,)):
        assert_same(f[mask], w[mask], f"{name} where")
        assert (f[~mask] == SENTINEL).all()


@pytest.mark.parametrize("name", ALL)
def test_dtype_keyword_computes_in_that_dtype(name, rng):
    ops = _operands(name, np.float32, 50, rng)
    got = _uf(name)(*ops, dtype=np.float64)
    want = _uf(name)(*(o.astype(np.float64) for o in ops))
    _same(got, want, f"{name} dtype=float64")


# ---------------------------------------------------------------- the split form
@pytest.mark.parametrize("op", ["glu", "reglu", "geglu", "geglu[tanh]", "swiglu"])
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_split_form_is_the_two_operand_form_on_the_halves(op, axis, fdtype, rng):
    public, _, approx = op.partition("[")
    kw = {"approximate": approx.rstrip("]")} if approx else {}
    f, fb = getattr(relukit, public), getattr(relukit, public + "_backward")
    x = (rng.standard_normal((6, 8, 4)) * 3).astype(fdtype)
    h = x.shape[axis] // 2
    a, b = np.split(x, 2, axis=axis)
    row = public + ("_tanh" if approx else "")
    y = f(x, axis=axis, **kw) if public != "glu" else f(x, axis)
    _same(y, _uf(row)(a, b), f"{op} split axis {axis}")
    g = rng.standard_normal(a.shape).astype(fdtype)
    gx = fb(g, x, axis=axis, **kw) if public != "glu" else fb(g, x, axis)
    ga, gb = _uf(row + "_backward")(g, a, b)
    assert gx.shape == x.shape and gx.dtype == x.dtype
    _same(gx, np.concatenate([ga, gb], axis=axis), f"{op} split backward axis {axis}")
    # out= of the split forms
    out = np.full(a.shape, SENTINEL, dtype=fdtype)
    assert (f(x, axis=axis, out=out, **kw) if public != "glu" else f(x, axis, out=out)) is out
    _same(out, y, f"{op} split out=")
    gout = np.full(x.shape, SENTINEL, dtype=fdtype)
    got = fb(g, x, axis=axis, out=gout, **kw) if public != "glu" else fb(g, x, axis, out=gout)
    assert got is gout
    _same(gout, gx, f"{op} split backward out=")
    assert h * 2 == x.shape[axis]


def test_two_operand_forms_match_the_ufuncs(rng):
    a, b, g = (rng.standard_normal((4, 5)).astype(np.float32) for _ in range(3))
    for name in ("reglu", "swiglu", "geglu"):
        _same(getattr(relukit, name)(a, b), _uf(name)(a, b), name)
        _same(getattr(relukit, name + "_backward")(g, a, b), _uf(name + "_backward")(g, a, b), name)
    _same(relukit.geglu(a, b, approximate="tanh"), _uf("geglu_tanh")(a, b), "geglu tanh")
    _same(relukit.geglu_backward(g, a, b, "tanh"), _uf("geglu_tanh_backward")(g, a, b), "geglu tanh")
    assert relukit.swiglu.ufunc is _uf("swiglu") and relukit.glu.ufunc is _uf("glu")
    assert relukit.glu_backward.ufunc is _uf("glu_backward")
    # broadcasting: a row of b against a matrix of a
    _same(relukit.swiglu(a, b[0]), _uf("swiglu")(a, np.broadcast_to(b[0], a.shape).copy()), "bcast")


# ---------------------------------------------------------------- semantics
def test_special_values(fdtype):
    inf, nan = np.inf, np.nan
    t = fdtype
    sw, ge, gt, re, gl = (_uf(n) for n in ("swiglu", "geglu", "geglu_tanh", "reglu", "glu"))
    with np.errstate(all="raise"):
        for f in (sw, ge, gt):
            assert f(t(inf), t(2)) == inf and f(t(3), t(inf)) == inf and f(t(-3), t(inf)) == -inf
            assert np.isnan(f(t(-inf), t(inf)))          # act(-inf) * inf: -0 * inf
            assert f(t(-inf), t(2)) == 0 and np.signbit(f(t(-inf), t(2)))
            assert np.isnan(f(t(nan), t(1))) and np.isnan(f(t(1), t(nan)))
            assert np.isnan(f(t(0), t(inf)))
            # a tiny nonzero act(a) times inf is an infinity, even where act underflows
            assert f(t(-60), t(inf)) == -inf
        assert gl(t(inf), t(1)) == inf and gl(t(inf), t(-200)) == inf and np.isnan(gl(t(inf), t(-inf)))
        assert gl(t(3), t(inf)) == 3 and gl(t(3), t(-inf)) == 0
        assert np.isnan(re(t(-1), t(inf))) and re(t(2), t(inf)) == inf
        assert np.signbit(re(t(-0.0), t(1)))                # relu(-0) = -0, as relu
        # torch's kink: relu'(0) = 0; NaN a propagates to both gradients
        ga, gb = _uf("reglu_backward")(t(1), t(0), t(5))
        assert ga == 0 and gb == 0
        for name in ALL[1::2]:
            ga, gb = _uf(name)(t(1), t(nan), t(1)) if name != "glu_backward" else _uf(name)(t(1), t(1), t(nan))
            assert np.isnan(ga) and np.isnan(gb), name
        # limits of the gradients
        ga, gb = _uf("swiglu_backward")(t(2), t(inf), t(3))
        assert ga == 6 and gb == inf
        ga, gb = _uf("swiglu_backward")(t(2), t(-inf), t(3))
        assert ga == 0 and gb == 0
        ga, gb = _uf("glu_backward")(t(2), t(5), t(inf))
        assert ga == 2 and gb == 0
        ga, gb = _uf("glu_backward")(t(2), t(5), t(-inf))
        assert ga == 0 and gb == 0


@pytest.mark.parametrize("name", ALL)
def test_no_floating_point_warnings_for_any_special_combination(name, fdtype):
    sv = special_values(fdtype)
    k = 3 if name.endswith("_backward") else 2
    grids = np.meshgrid(*([sv] * k), indexing="ij")
    ops = tuple(gd.ravel().copy() for gd in grids)
    with np.errstate(all="raise"):
        got = _uf(name)(*ops)
    _check(name, ops, fdtype, got)


def test_bfloat16_is_float32_rounded_once(rng):
    ml = pytest.importorskip("ml_dtypes")
    bf = np.dtype(ml.bfloat16)
    for name in ALL:
        ops = tuple(random_values(np.float32, 500, rng).astype(bf) for _ in range(_uf(name).nin))
        got = _uf(name)(*ops)
        want = _uf(name)(*(o.astype(np.float32) for o in ops))
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            assert g.dtype == bf
            assert_same(g.astype(np.float32), w.astype(bf).astype(np.float32), name)
    x = rng.standard_normal((3, 8)).astype(bf)
    assert relukit.swiglu(x).dtype == bf and relukit.swiglu_backward(x[:, :4], x).dtype == bf


# ---------------------------------------------------------------- errors
BAD = {"complex": np.array([1 + 2j, -1j]), "str": np.array(["a", "b"]),
       "datetime": np.array(["2020-01-01", "2021-06-01"], dtype="M8[D]")}


def _public_calls():
    x2 = np.ones(2)
    return {
        "glu": lambda v, **k: relukit.glu(np.concatenate([v, v]), **k),
        "glu_backward": lambda v, **k: relukit.glu_backward(x2, np.concatenate([v, v]), **k),
        "reglu": lambda v, **k: relukit.reglu(v, x2, **k),
        "reglu_backward": lambda v, **k: relukit.reglu_backward(x2, v, x2, **k),
        "geglu": lambda v, **k: relukit.geglu(v, x2, **k),
        "geglu_backward": lambda v, **k: relukit.geglu_backward(x2, v, x2, **k),
        "swiglu": lambda v, **k: relukit.swiglu(x2, v, **k),
        "swiglu_backward": lambda v, **k: relukit.swiglu_backward(v, x2, x2, **k),
    }


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("name", sorted(_public_calls()))
def test_gated_bad_operand_dtype(name, kind):
    call = _public_calls()[name]
    bwd = name.endswith("_backward")
    shape = (4,) if name == "glu_backward" else (2,)
    out = np.full(shape, SENTINEL) if not bwd or name == "glu_backward" else \
        (np.full(2, SENTINEL), np.full(2, SENTINEL))
    with pytest.raises(TypeError, match=rf"^{name}: .*(not supported for the input types|"
                                        rf"did not contain a loop)"):
        call(BAD[kind], out=out)
    for o in out if isinstance(out, tuple) else (out,):
        assert (o == SENTINEL).all()


@pytest.mark.parametrize("name", sorted(_public_calls()))
def test_gated_read_only_and_misshapen_out(name):
    call = _public_calls()[name]
    bwd2 = name.endswith("_backward") and name != "glu_backward"
    n = 4 if name == "glu_backward" else 2
    ro = np.full(n, SENTINEL)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=rf"^{name}: .*read-only"):
        call(np.ones(2), out=(ro, np.zeros(2)) if bwd2 else ro)
    bad = np.full(n + 1, SENTINEL)
    with pytest.raises(ValueError, match=rf"^{name}: .*(shape|broadcast)"):
        call(np.ones(2), out=(bad, np.zeros(2)) if bwd2 else bad)
    assert (bad == SENTINEL).all()


def test_gated_argument_errors():
    x = np.ones((2, 5))
    out = np.full((2, 2), SENTINEL)
    for f in (relukit.glu, relukit.reglu, relukit.swiglu, relukit.geglu):
        with pytest.raises(ValueError, match=rf"^{f.__name__}: the split form halves axis -1, whose size 5 is odd"):
            f(x, out=out)
        assert (out == SENTINEL).all()
    with pytest.raises(ValueError, match="^glu: axis 2 is out of bounds"):
        relukit.glu(x, 2)
    with pytest.raises(ValueError, match="^geglu: approximate must be 'none' or 'tanh', not 'erf'"):
        relukit.geglu(x, x, approximate="erf", out=np.full((2, 5), SENTINEL))
    with pytest.raises(ValueError, match="^geglu_backward: approximate must be"):
        relukit.geglu_backward(x, x, x, approximate=None)
    with pytest.raises(TypeError, match="^swiglu: axis= is taken by the split form"):
        relukit.swiglu(x, x, axis=0)
    with pytest.raises(ValueError, match=r"^swiglu_backward: out= of the split form must have x's shape"):
        relukit.swiglu_backward(np.ones((2, 2)), np.ones((2, 4)), out=np.full((2, 2), SENTINEL))
    with pytest.raises(ValueError, match=r"^swiglu: out= of the split form must have the shape of one half"):
        relukit.swiglu(np.ones((2, 4)), out=np.full((2, 4), SENTINEL))
    with pytest.raises(ValueError, match="^reglu_backward: .*broadcast"):
        relukit.reglu_backward(np.ones(3), np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match="^swiglu: .*no_such"):
        relukit.swiglu(x, x, no_such=1)


def test_docs_and_signatures():
    import inspect

    assert list(inspect.signature(relukit.geglu).parameters) == ["a", "b", "approximate", "axis",
                                                                 "out", "kwargs"]
    assert list(inspect.signature(relukit.glu).parameters) == ["x", "axis", "out", "kwargs"]
    for f in (relukit.glu, relukit.reglu, relukit.geglu, relukit.swiglu, relukit.glu_backward,
              relukit.reglu_backward, relukit.geglu_backward, relukit.swiglu_backward):
        assert "Parameters\n    ----------" in f.__doc__ and "Returns" in f.__doc__, f.__name__
    assert _uf("swiglu").__doc__.startswith("swiglu(")


# ---------------------------------------------------------------- show_config and the self-check
def _kernels_inc_rows():
    src = Path(__file__).resolve().parent.parent / "src" / "kernels.inc"
    if not src.exists():
        pytest.skip("needs the source tree (src/kernels.inc) next to tests/")
    return re.findall(r"^RK_OP\((\w+),", src.read_text(), re.M)


def _row_ufunc(row):
    if row.endswith("_bwd_y"):
        return row[:-6] + "_backward_from_output"
    return row[:-4] + "_backward" if row.endswith("_bwd") else row


def test_show_config_lists_every_row_and_ufunc_the_gated_family_included(capsys):
    """show_config's kernel rows are kernels.inc's, in its order, and its ufuncs those
    rows' ufuncs: the gated family's as every other op's."""
    rows = _kernels_inc_rows()
    assert {"swiglu", "swiglu_bwd", "glu_bwd", "geglu_tanh_bwd"} <= set(rows)
    cfg = relukit.show_config("dicts")["Kernels"]
    assert cfg["rows"] == rows
    assert cfg["ufuncs"] == sorted(_row_ufunc(r) for r in rows)
    assert set(ALL) <= set(cfg["ufuncs"])
    relukit.show_config()
    lines = {ln.split(":")[0].strip(): ln.split(": ", 1)[1]
             for ln in capsys.readouterr().out.splitlines() if ln.startswith("  ") and ": " in ln}
    assert lines["rows"].split(", ") == rows
    assert set(ALL) <= set(lines["ufuncs"].split(", "))


def test_selfcheck_covers_the_gated_family():
    """`python -m relukit`'s self-check runs every ufunc, the gated ones included, in
    every dtype, and they pass."""
    lines = []
    assert _selfcheck.run_selfcheck(seed=3, out=lines.append)
    seen = {(ln.split()[1], ln.split()[2]) for ln in lines}
    names = [*_ufuncs.UFUNCS, *_ufuncs.GATED_UFUNCS]
    assert seen == {(n, np.dtype(d).name) for n in names for d in FLOATS}
    assert all(ln.split()[0] == "PASS" for ln in lines)
    assert len(lines) == len(seen)


def test_selfcheck_of_a_gated_op_can_fail(monkeypatch):
    """The gated self-check fails for a wrong kernel, for a wrong second gradient
    alone, and for results that depend on the route (reversed strides, the other
    operand broadcast from one value)."""
    rng = np.random.default_rng(0)
    swiglu, bwd = _uf("swiglu"), _uf("swiglu_backward")
    assert _selfcheck.check_gated_op("swiglu_backward", np.float32, rng)[0]

    def wrong_gb(g, a, b):
        ga, gb = bwd(g, a, b)
        with np.errstate(all="ignore"):
            return ga, gb * np.float32(1.001)

    def up(v):  # one ULP up (quietly: the fakes' own arithmetic is not under test)
        with np.errstate(all="ignore"):
            return np.nextafter(v, np.float32(np.inf))

    def off_when_reversed(g, a, b):
        ga, gb = bwd(g, a, b)
        return (up(ga) if a.strides[0] < 0 else ga), gb

    def off_when_broadcast(a, b):  # swiglu: b is the other operand
        y = swiglu(a, b)
        return up(y) if np.ndim(b) == 0 else y

    for name, fake in (("swiglu", _uf("geglu")), ("swiglu_backward", wrong_gb),
                       ("swiglu_backward", off_when_reversed), ("swiglu", off_when_broadcast)):
        monkeypatch.setitem(_ufuncs.GATED_UFUNCS, name, fake)
        ok, err, total = _selfcheck.check_gated_op(name, np.float32, rng)
        assert not ok, (name, fake)
        assert total > 20000
        monkeypatch.undo()


# ---------------------------------------------------------------- peers
def test_dask_arrays_stay_lazy():
    da = pytest.importorskip("dask.array")
    x = np.arange(-12, 12, dtype=np.float64).reshape(4, 6) / 3
    dx = da.from_array(x, chunks=(2, 6))
    y = relukit.swiglu(dx)
    assert isinstance(y, da.Array)
    _same(y.compute(), relukit.swiglu(x), "dask split")
    ya = relukit.geglu(dx, dx)
    assert isinstance(ya, da.Array)
    _same(ya.compute(), relukit.geglu(x, x), "dask two operands")
    # the backward's two outputs (Dask's ufunc protocol leaves them to NumPy): blockwise
    # through the wrapper, lazily (every form and op: test_dask.py)
    g = np.linspace(-2, 2, 12).reshape(4, 3)
    gx = relukit.swiglu_backward(da.from_array(g, chunks=(2, 3)), dx)
    assert isinstance(gx, da.Array)
    _same(gx.compute(), relukit.swiglu_backward(g, x), "dask backward split")
    ga, gb = relukit.geglu_backward(dx, dx, dx)
    assert isinstance(ga, da.Array) and isinstance(gb, da.Array)
    for got, want in zip((ga, gb), relukit.geglu_backward(x, x, x)):
        _same(got.compute(), want, "dask backward two operands")


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch (an optional peer) is not installed")
def test_torch_composites_agree():
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(5)
    x = rng.standard_normal((16, 32)) * 3
    tx = torch.tensor(x, requires_grad=True)
    a, b = tx[:, :16], tx[:, 16:]
    g = rng.standard_normal((16, 16))
    for name, comp in (("swiglu", lambda: F.silu(a) * b), ("geglu", lambda: F.gelu(a) * b),
                       ("reglu", lambda: F.relu(a) * b), ("glu", lambda: F.glu(tx, -1)),
                       ("geglu[tanh]", lambda: F.gelu(a, approximate="tanh") * b)):
        public, _, approx = name.partition("[")
        kw = {"approximate": "tanh"} if approx else {}
        tx.grad = None
        ty = comp()
        ty.backward(torch.tensor(g))
        y = getattr(relukit, public)(x, **kw)
        gx = getattr(relukit, public + "_backward")(g, x, **kw)
        np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-13, atol=1e-13, err_msg=name)
        np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)


def test_float_dtypes_listed_narrowest_first():
    for name in ALL:
        assert _uf(name).types[:3] == [("ee" if _uf(name).nin == 2 else "eee") + "->" +
                                       ("e" if _uf(name).nout == 1 else "ee"),
                                       ("ff" if _uf(name).nin == 2 else "fff") + "->" +
                                       ("f" if _uf(name).nout == 1 else "ff"),
                                       ("dd" if _uf(name).nin == 2 else "ddd") + "->" +
                                       ("d" if _uf(name).nout == 1 else "dd")]
    assert set(FLOATS) == {np.float16, np.float32, np.float64}


@pytest.mark.parametrize("op", [o for o in OPS if o != "reglu"])
def test_partner_at_the_top_of_a_binade(op):
    """The float32 forward stays within its bound when the partner operand puts
    each result just below a power of two, where an ULP is smallest relative to
    the value: the activation's relative error then counts the most ULP (a float32
    core accurate to its own rounding only would show up to 2.3 ULP here)."""
    rng = np.random.default_rng(11)
    n = 1 << 17
    x = np.concatenate([rng.uniform(-20, 20, n), rng.uniform(-17, 17, n) * 0.25,
                        rng.uniform(15.5, 17.5, n)]).astype(np.float32)
    x *= np.where(rng.random(x.size) < 0.5, -1, 1).astype(np.float32) if op != "glu" else 1
    act_of = {"glu": lambda v: 1 / (1 + np.exp(-v)),
              "swiglu": lambda v: relukit.silu(v),
              "geglu": lambda v: relukit.gelu(v),
              "geglu_tanh": lambda v: relukit.gelu(v, "tanh")}[op]
    with np.errstate(all="ignore"):
        v = act_of(x.astype(np.float64))
        mant, _ = np.frexp(np.abs(v))
        partner = ((1 - rng.uniform(0, 2 ** -10, x.size)) * 2.0 ** rng.integers(-30, 30, x.size)
                   / mant).astype(np.float32)
    keep = np.isfinite(partner) & (v != 0)
    x, partner = x[keep], partner[keep]
    ops = (partner, x) if op == "glu" else (x, partner)   # glu activates its second operand
    err = _reference.gated_error(op, ops, _uf(op)(*ops), np.float32)
    assert err.max() <= _reference.ULP_BOUNDS[op]["float32"], (op, float(err.max()))


@pytest.mark.parametrize("op", [o for o in OPS if o != "reglu"])
def test_partner_at_the_top_of_a_binade_backward(op):
    """Both float32 gradients stay within the bound when g and the partner put each
    gradient just below a power of two: grad_a with b (glu: a) chosen against
    g*act'(x), grad_b with g chosen against act(x) (glu: g*s with g chosen)."""
    rng = np.random.default_rng(12)
    n = 1 << 16
    x = np.concatenate([rng.uniform(-20, 20, n), rng.uniform(-17, 17, n) * 0.25,
                        rng.uniform(15.5, 17.5, n)]).astype(np.float32)
    x *= np.where(rng.random(x.size) < 0.5, -1, 1).astype(np.float32)
    x64 = x.astype(np.float64)
    one = np.ones_like(x64)
    with np.errstate(all="ignore"):
        s = 1 / (1 + np.exp(-x64))
        act, dact = {"glu": (s, s * (1 - s)),
                     "swiglu": (relukit.silu(x64), relukit.silu_backward(one, x64)),
                     "geglu": (relukit.gelu(x64), relukit.gelu_backward(one, x64)),
                     "geglu_tanh": (relukit.gelu(x64, "tanh"),
                                    relukit.gelu_backward(one, x64, "tanh"))}[op]

    def against(v):
        mant, _ = np.frexp(np.abs(v))
        return ((1 - rng.uniform(0, 2 ** -10, v.size)) * 2.0 ** rng.integers(-30, 30, v.size)
                / mant).astype(np.float32)
    with np.errstate(all="ignore"):
        g1 = (rng.standard_normal(x.size) + 2).astype(np.float32)
        p1 = against(g1 * dact)                 # grad_a (glu: grad_b) at the top
        g2 = against(act)                       # grad_b (glu: grad_a) at the top
        p2 = rng.standard_normal(x.size).astype(np.float32)
    for g, p in ((g1, p1), (g2, p2)):
        keep = np.isfinite(p) & np.isfinite(g) & (p != 0) & (dact != 0) & (act != 0)
        gk, xk, pk = g[keep], x[keep], p[keep]
        ops = (gk, pk, xk) if op == "glu" else (gk, xk, pk)
        name = op + "_backward"
        err = _reference.gated_error(name, ops, _uf(name)(*ops), np.float32)
        assert err.max() <= _reference.ULP_BOUNDS[name]["float32"], (op, float(err.max()))


def test_float64_geglu_backward_product_rounding_not_added():
    """float64 geglu's grad_a = (g b) gelu'(a) with g b carried exactly: a rounded
    g b added its error to gelu''s own, 4.0005 ULP on the baseline target here
    (bound 4); every target the CPU runs"""
    from relukit import _ufuncs
    g, a, b = (np.array([float.fromhex(h)]) for h in
               ("0x1.6399aaf486d18p+3", "-0x1.d5f9de2b5f6e0p+0", "-0x1.ac41edafccfd8p+2"))
    for t in _ufuncs.SUPPORTED_TARGETS:
        got = _ufuncs.target_ufuncs(t)[1]["geglu_backward"](g, a, b)
        err = _reference.gated_error("geglu_backward", (g, a, b), got, np.dtype(np.float64))
        assert err.max() <= 3.5, (t, float(err.max()))


@pytest.mark.parametrize("fdtype", [np.float16, np.float32, np.float64])
def test_glu_zero_results_carry_the_products_sign(fdtype):
    """glu(a, b) = a sigmoid(b) and its gradients g sigmoid(b), g a sigmoid'(b), with
    sigmoid and sigmoid' positive: a zero result has the sign of a, g, g a, over the
    gates that take the float64 route (float32: |b| past 16 or 80; float64: all).
    (The corrected division there gave +0 for a numerator of -0.)"""
    fdtype = np.dtype(fdtype).type
    b = np.concatenate([-np.geomspace(1e-3, 1e4, 400), np.geomspace(1e-3, 1e4, 400)]).astype(fdtype)
    b = b[np.isfinite(b)]
    fwd, bwd = _ufuncs.GATED_UFUNCS["glu"], _ufuncs.GATED_UFUNCS["glu_backward"]
    with np.errstate(all="ignore"):
        for z in (0.0, -0.0, 1e-300, -1e-300):
            a = np.full(b.size, z, fdtype)
            y = fwd(a, b)
            zero = y == 0
            assert zero.any() and np.all(np.signbit(y[zero]) == np.signbit(a[zero])), (z, b[zero][
                np.signbit(y[zero]) != np.signbit(a[zero])][:5])
            for w in (1.0, -1.0, 0.0, -0.0):
                ga, gb = bwd(a, np.full(b.size, w, fdtype), b)   # g = z, a = w
                for r, want in ((ga, np.signbit(a)), (gb, np.signbit(a) ^ np.signbit(fdtype(w)))):
                    zr = r == 0
                    assert np.all(np.signbit(r[zr]) == want[zr]), (z, w, b[zr][
                        np.signbit(r[zr]) != want[zr]][:5])
