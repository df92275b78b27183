"""The op table (relukit/_optable.py) drives the public API: the CPU and GPU
wrappers it generates have the table's signatures, checks and docstrings; its
generated stub and README blocks are up to date; its kernel rows and
src/kernels.inc's list each other."""
import inspect
from pathlib import Path

import numpy as np
import pytest

import relukit
from relukit import _opgen, _optable
from relukit._optable import OPS, REQUIRED, FromOutput, NoFromOutput
from relukit._ufuncs import KERNEL_ROWS, UFUNCS, ufunc_name

ROOT = Path(__file__).resolve().parent.parent
GENERATED = [op for op in OPS if op.kind != "custom"]
IDS = [op.name for op in GENERATED]


def _cuda():
    import relukit.cuda as rkc  # imports no numba: the wrappers are built from the table
    return rkc


def test_public_api_is_the_table():
    assert relukit.__all__[:-4] == _optable.public_names()
    assert relukit.__all__[-4:] == ["get_num_threads", "set_num_threads", "show_config", "__version__"]
    gpu = [n for n in _cuda().__all__ if n != "is_available"]
    assert gpu == _optable.public_names()  # the gated family too (relukit/cuda/_gated.py)
    for name in _optable.public_names():
        assert callable(getattr(relukit, name)), name


def test_generated_blocks_are_up_to_date():
    """README.md's API table and the stubs' op block are the generator's output
    (python -m relukit optable --write rewrites them)."""
    for rel, (b, e, block) in _opgen._blocks().items():
        text = (ROOT / rel).read_text()
        assert text.count(b) == 1 and text.count(e) == 1, rel
        assert _opgen.replace_block(text, b, e, block) == text, f"{rel} is stale: python -m relukit optable --write"


def test_optable_cli_checks(tmp_path):
    from relukit import __main__ as cli

    (tmp_path / "relukit").mkdir()
    for rel in ("README.md", "relukit/__init__.pyi"):
        (tmp_path / rel).write_text((ROOT / rel).read_text())
    assert cli.main(["optable", "--root", str(tmp_path)]) == 0
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text().replace("| `relu(x)` |", "| `relu(y)` |"))
    assert cli.main(["optable", "--root", str(tmp_path)]) == 1
    assert cli.main(["optable", "--root", str(tmp_path), "--write"]) == 0
    assert readme.read_text() == (ROOT / "README.md").read_text()


def test_kernel_rows_and_table_list_each_other():
    """Every ufunc an op calls is a kernels.inc row; every kernels.inc row is called
    by an op (prelu and rrelu run leaky_relu's rows)."""
    rows = {ufunc_name(row) for row, *_ in KERNEL_ROWS}
    called = {u for op in OPS for u in op.ufuncs() if op.kind != "custom"}
    called |= {"leaky_relu", "leaky_relu_backward"}  # prelu, rrelu
    assert called <= rows, sorted(called - rows)
    assert rows <= called, f"kernels.inc rows no op calls: {sorted(rows - called)}"
    assert set(UFUNCS) == rows


def test_gpu_rows_exist():
    from relukit.cuda._table import ROWS

    for op in GENERATED:
        for u in op.ufuncs():
            assert _opgen.gpu_row(u) in ROWS, (op.name, u)


def _expected_params(op, bwd):
    lead = ["g", "x"] if bwd else ["x"]
    if op.choice is not None:
        named = [(op.choice[0], op.choice[1])]
    else:
        named = [(p.name, p.default) for p in (op.bwd_params if bwd else op.params)]
    return lead, named


@pytest.mark.parametrize("backend", ["cpu", "gpu"])
@pytest.mark.parametrize("op", GENERATED, ids=IDS)
def test_signatures_are_the_tables(op, backend):
    mod = relukit if backend == "cpu" else _cuda()
    for bwd, name in ((False, op.name), (True, op.backward)):
        sig = inspect.signature(getattr(mod, name))
        lead, named = _expected_params(op, bwd)
        ps = list(sig.parameters.values())
        if op.kind == "plain" and not bwd and backend == "cpu":
            assert [p.name for p in ps[:2]] == ["x", "out"]  # a ufunc's (x, out)
            continue
        assert [p.name for p in ps[:len(lead)]] == lead, name
        got = [(p.name, p.default) for p in ps[len(lead):len(lead) + len(named)]]
        want = [(n, inspect.Parameter.empty if d is REQUIRED else d) for n, d in named]
        assert got == want, name
        kw = {p.name for p in ps if p.kind is p.KEYWORD_ONLY}
        assert "out" in kw
        assert ("stream" in kw) == (backend == "gpu")
        if bwd:
            assert "from_output" in kw and set(op.bwd_kwonly) <= kw
        elif backend == "cpu":
            assert "inplace" in kw


@pytest.mark.parametrize("backend", ["cpu", "gpu"])
@pytest.mark.parametrize("op", GENERATED, ids=IDS)
def test_docstrings_are_numpydoc(op, backend):
    mod = relukit if backend == "cpu" else _cuda()
    for name in (op.name, op.backward):
        f = getattr(mod, name)
        doc = inspect.getdoc(f)
        assert "Parameters\n----------" in doc and "Returns\n-------" in doc, name
        for p in inspect.signature(f).parameters.values():
            if p.kind is p.VAR_POSITIONAL:
                continue  # a ufunc's positional out
            if p.kind is p.VAR_KEYWORD:
                assert "**kwargs" in doc
            else:
                assert f"\n{p.name} : " in "\n" + doc or f", {p.name} : " in doc, (name, p.name)
        assert f.__name__ == name


# ---------------------------------------------------------------- the table's checks, on the CPU
def _call(op, bwd, params, out, **kw):
    x = np.linspace(-3, 3, 16, dtype=np.float32)
    f = getattr(relukit, op.backward if bwd else op.name)
    return f(np.ones_like(x), x, *params, out=out, **kw) if bwd else f(x, *params, out=out, **kw)


def _valid(op, bwd):
    if op.choice is not None:
        return [op.choice[1]]
    ps = op.bwd_params if bwd else op.params
    return [1.0 if p.default is REQUIRED else p.default for p in ps]


PARAM_OPS = [op for op in GENERATED if op.params]


@pytest.mark.parametrize("bwd", [False, True])
@pytest.mark.parametrize("op", PARAM_OPS, ids=[op.name for op in PARAM_OPS])
def test_nan_and_zero_rules(op, bwd):
    ps = op.bwd_params if bwd else op.params
    name = op.backward if bwd else op.name
    for i, p in enumerate(ps):
        for bad, word in [(float("nan"), "NaN")] + ([(0.0, "0")] if p.nonzero else []):
            vals = _valid(op, bwd)
            vals[i] = bad
            out = np.full(16, 7.0, dtype=np.float32)
            with pytest.raises(ValueError, match=f"^{name}: {p.name} must not be {word}"):
                _call(op, bwd, vals, out)
            assert (out == 7).all()


def test_ordered_rule():
    for name in ("hardtanh", "hardtanh_backward"):
        out = np.full(16, 7.0, dtype=np.float32)
        with pytest.raises(ValueError, match=f"^{name}: min_val must be <= max_val"):
            _call(_optable.BY_NAME["hardtanh"], name.endswith("backward"), [2.0, 1.0], out)
        assert (out == 7).all()


FO_OPS = [op for op in GENERATED]


@pytest.mark.parametrize("op", FO_OPS, ids=[op.name for op in FO_OPS])
def test_from_output_rules(op):
    """from_output: refused where the table says it is not available or its
    condition fails (nothing written), else the gradient from the output."""
    fo = op.from_output
    vals = _valid(op, True)
    out = np.full(16, 7.0, dtype=np.float32)
    if isinstance(fo, NoFromOutput):
        with pytest.raises(ValueError, match=f"^{op.backward}: from_output=True is not exact"):
            _call(op, True, vals, out, from_output=True)
        assert (out == 7).all()
        return
    assert isinstance(fo, FromOutput)
    if fo.require and fo.require[1] == "value<=":
        with pytest.raises(ValueError, match="needs the forward's value="):
            _call(op, True, vals, out, from_output=True)
        with pytest.raises(ValueError, match="exact only when value <= threshold"):
            _call(op, True, vals, out, from_output=True, value=vals[0] + 1)
        assert (out == 7).all()
        _call(op, True, vals, out, from_output=True, value=vals[0] - 1)
        return
    if fo.require:
        i = [p.name for p in op.bwd_params].index(fo.require[0])
        bad = list(vals)
        bad[i] = -0.5
        with pytest.raises(ValueError, match=f"exact only for {fo.require[0]} {fo.require[1]} 0"):
            _call(op, True, bad, out, from_output=True)
        assert (out == 7).all()
    # the gradient from the output equals the gradient from the input where both are exact
    x = np.linspace(-3, 3, 16, dtype=np.float64)
    fwd = getattr(relukit, op.name)(x, *_valid(op, False))
    g = np.linspace(1, 2, 16)
    want = getattr(relukit, op.backward)(g, x, *vals)
    got = getattr(relukit, op.backward)(g, fwd, *vals, from_output=True)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("op", [op for op in GENERATED if op.choice], ids=lambda op: op.name)
def test_choice_rule(op):
    cname = op.choice[0]
    for bwd, name in ((False, op.name), (True, op.backward)):
        out = np.full(16, 7.0, dtype=np.float32)
        with pytest.raises(ValueError, match=f"^{name}: {cname} must be "):
            _call(op, bwd, ["nope"], out)
        assert (out == 7).all()
        for v, pair in op.choice[2].items():  # each value runs its own ufunc
            x = np.linspace(-3, 3, 16, dtype=np.float32)
            got = _call(op, bwd, [v], None)
            want = UFUNCS[pair[1]](np.ones_like(x), x) if bwd else UFUNCS[pair[0]](x)
            np.testing.assert_array_equal(got, want)


def test_generated_code_shows_in_tracebacks():
    import traceback

    try:
        relukit.elu(np.ones(3), float("nan"))
    except ValueError as exc:
        text = "".join(traceback.format_exception(exc))
    assert "<relukit cpu wrapper elu>" in text and "_param(" in text
