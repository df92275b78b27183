"""Bad input, op by op: every public op (ufuncs and wrappers, forward and
backward, from_output and the gelu/rrelu variants) is called with complex,
object, string, bytes, datetime and timedelta arrays, a read-only ``out``,
``out`` of the wrong shape, dtype or type, invalid parameters and wrong
argument counts.  Each call must raise TypeError or ValueError whose message
names the op and the problem, and must leave ``out`` untouched (it is filled
with a sentinel first).

bool input is accepted, as NumPy's ufuncs accept it: it is cast to the first
loop it casts to safely (float16 for a one-input ufunc such as relu; float64
next to a Python float parameter, by NumPy's promotion) and the result equals
the op of that cast.  The README's "What each op accepts" says the same.

Every op, the ones without parameters included (thin callables around their
ufuncs), words NumPy's own errors (a read-only, wrongly shaped or non-array
``out``, operands that do not broadcast) under its name.
"""
import re

import numpy as np
import pytest
from conftest import GATED, public_ops, table_calls

import relukit

SENTINEL = 7.25
X = np.array([-1.5, 0.5, 2.0], dtype=np.float64)
G = np.array([1.0, -2.0, 0.25], dtype=np.float64)


def _fwd(f, *params, **kw):
    return lambda x, **k: f(x, *params, **kw, **k)


def _bwd(f, *params, **kw):
    return lambda g, x, **k: f(g, x, *params, **kw, **k)


# public name -> (is backward, call(x) or call(g, x) with valid parameters): every
# variant of the op table's ops (conftest.table_calls), and prelu and rrelu
OPS = {name: (bwd, (_bwd if bwd else _fwd)(f, *ps, **kw))
       for name, (bwd, f, ps, kw) in table_calls().items()}
OPS.update({
    "prelu": (False, _fwd(relukit.prelu, np.array([0.25]))),
    "prelu_backward": (True, _bwd(relukit.prelu_backward, np.array([0.25]))),
    "rrelu": (False, _fwd(relukit.rrelu)),
    "rrelu[training]": (False, _fwd(relukit.rrelu, training=True, rng=0)),
    "rrelu_backward": (True, _bwd(relukit.rrelu_backward, np.array([0.2, 1.0, 1.0]))),
})

PUBLIC_OPS = [n for n in public_ops() if n not in GATED]
# the ops without parameters, thin callables around their ufuncs
RAW_UFUNCS = {n for n in PUBLIC_OPS if hasattr(getattr(relukit, n), "ufunc")}


def _public(name):
    return name.split("[")[0]


def _names_for(name):
    """Names a message may use for the op: its public name; for an alias ufunc
    (swish is silu) the ufunc's own name."""
    pub = _public(name)
    obj = getattr(relukit, pub)
    return {pub, getattr(obj, "__name__", pub)}


def test_table_covers_the_public_api():
    assert {_public(n) for n in OPS} == set(PUBLIC_OPS)  # (conftest.GATED: test_gated.py)


def _call(name, x=None, g=None, **kw):
    bwd, call = OPS[name]
    x = X if x is None else x
    if bwd:
        return call(G if g is None else g, x, **kw)
    return call(x, **kw)


def _check(name, exc_info, problem):
    msg = str(exc_info.value)
    names = _names_for(name)
    assert any(re.search(rf"\b{re.escape(n)}\b", msg) for n in names), \
        f"{name}: message does not name the op: {msg!r}"
    assert re.search(problem, msg, re.I), f"{name}: message does not say {problem!r}: {msg!r}"


def _sentinel_out(shape=X.shape, dtype=np.float64):
    return np.full(shape, SENTINEL, dtype=dtype)


def _untouched(out, what):
    assert (np.asarray(out) == SENTINEL).all(), f"{what}: out was written by a rejected call"


# ---------------------------------------------------------------- operand dtypes
BAD_ARRAYS = {
    "complex": np.array([1 + 2j, -1j, 3.0]),
    "object": np.array([-1.0, 0.5, 2.0], dtype=object),
    "str": np.array(["a", "-1", "2"]),
    "bytes": np.array([b"a", b"-1", b"2"]),
    "datetime": np.array(["2020-01-01", "2021-06-01", "2022-01-01"], dtype="M8[D]"),
    "timedelta": np.array([-1, 2, 3], dtype="m8[s]"),
}
TYPE_PROBLEM = r"not supported for the input types|did not contain a loop|array of reals|must be real"


@pytest.mark.parametrize("kind", sorted(BAD_ARRAYS))
@pytest.mark.parametrize("name", sorted(OPS))
def test_bad_operand_dtype(name, kind):
    bad = BAD_ARRAYS[kind]
    bwd, _ = OPS[name]
    places = ("x", "g") if bwd else ("x",)
    for where in places:
        out = _sentinel_out()
        with pytest.raises(TypeError) as ei:
            if where == "x":
                _call(name, x=bad, out=out)
            else:
                _call(name, g=bad, out=out)
        _check(name, ei, TYPE_PROBLEM)
        _untouched(out, f"{name}({where}={kind})")


@pytest.mark.parametrize("name", sorted(OPS))
def test_bool_input_is_cast_like_numpy(name):
    """bool is accepted: the result is the op of the bool array cast to the
    result's dtype (NumPy picks that dtype)."""
    xb = np.array([True, False, True])
    got = _call(name, x=xb)
    got = got[0] if isinstance(got, tuple) else got
    assert got.dtype.kind == "f", f"{name}: bool input gave {got.dtype}"
    want = _call(name, x=xb.astype(got.dtype), g=G.astype(got.dtype))
    want = want[0] if isinstance(want, tuple) else want
    if _public(name) != "rrelu":  # rrelu draws noise: compare where the slope is 1
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_array_equal(got[xb], want[xb])


# ---------------------------------------------------------------- out=
@pytest.mark.parametrize("name", sorted(OPS))
def test_read_only_out(name):
    out = _sentinel_out()
    out.flags.writeable = False
    with pytest.raises(ValueError) as ei:
        _call(name, out=out)
    _untouched(out, name)
    _check(name, ei, "read-only")


@pytest.mark.parametrize("shape", [(2,), (4,), (3, 2)], ids=str)
@pytest.mark.parametrize("name", sorted(OPS))
def test_out_of_wrong_shape(name, shape):
    out = _sentinel_out(shape)
    with pytest.raises(ValueError) as ei:
        _call(name, out=out)
    _untouched(out, f"{name}(out shape {shape})")
    _check(name, ei, r"broadcast|shape")


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.bool_], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", sorted(OPS))
def test_out_of_wrong_dtype(name, dtype):
    out = _sentinel_out(dtype=dtype) if dtype is not np.bool_ else np.zeros(X.shape, bool)
    before = out.copy()
    with pytest.raises(TypeError) as ei:
        _call(name, out=out)
    np.testing.assert_array_equal(out, before)
    _check(name, ei, r"cast")


@pytest.mark.parametrize("name", sorted(OPS))
def test_out_not_an_array(name):
    out = [SENTINEL] * 3
    with pytest.raises(TypeError) as ei:
        _call(name, out=out)
    assert out == [SENTINEL] * 3
    _check(name, ei, r"array")


def test_ops_without_parameters_name_themselves_in_numpys_errors():
    """relu and the other ops without parameters were raw ufuncs whose NumPy
    messages named nothing ("output array is read-only"); now they are named."""
    bad_outs = [np.zeros(3), np.zeros(2), [0.0] * 3]
    bad_outs[0].flags.writeable = False
    assert len(RAW_UFUNCS) >= 8
    for name in sorted(RAW_UFUNCS):
        for out in bad_outs:
            with pytest.raises((TypeError, ValueError)) as ei:
                _call(name, out=out)
            _check(name, ei, r"read-only|broadcast|shape|array")


@pytest.mark.parametrize("name", sorted(n for n in OPS if OPS[n][0]))
def test_gradient_and_input_of_mismatched_shapes(name):
    out = _sentinel_out()
    with pytest.raises(ValueError) as ei:
        _call(name, g=np.ones(2), out=out)
    _untouched(out, name)
    _check(name, ei, "broadcast")


# ---------------------------------------------------------------- parameters
NAN = float("nan")
# (op, label, call(out) -> result, exception, problem regex)
BAD_PARAMS = []


def _bp(op, label, call, exc=ValueError, problem=None):
    BAD_PARAMS.append(pytest.param(op, call, exc, problem or label, id=f"{op}-{label}"))


for op, bwd, pre in [("hardtanh", False, ()), ("hardtanh_backward", True, ())]:
    f = getattr(relukit, op)
    args = (G, X) if bwd else (X,)
    _bp(op, "NaN", lambda out, f=f, a=args: f(*a, NAN, 1.0, out=out), problem="min_val must not be NaN")
    _bp(op, "min>max", lambda out, f=f, a=args: f(*a, 2.0, 1.0, out=out), problem="min_val must be <= max_val")
    _bp(op, "min>max array", lambda out, f=f, a=args: f(*a, np.array([0.0, 3.0, 0.0]), np.ones(3), out=out),
        problem="min_val must be <= max_val")
    _bp(op, "complex", lambda out, f=f, a=args: f(*a, 1j, 1.0, out=out), TypeError, "real number")
    _bp(op, "str", lambda out, f=f, a=args: f(*a, -1.0, "1", out=out), TypeError, "max_val must be a real")
    _bp(op, "None", lambda out, f=f, a=args: f(*a, None, 1.0, out=out), TypeError, "min_val must be a real")
    _bp(op, "unbroadcastable", lambda out, f=f, a=args: f(*a, np.zeros(2) - 1, 1.0, out=out),
        problem="broadcast")
    _bp(op, "bounds unbroadcastable", lambda out, f=f, a=args: f(*a, np.zeros(2) - 1, np.ones(3), out=out),
        problem="do not broadcast")

for op, bwd in [("threshold", False), ("threshold_backward", True)]:
    f = getattr(relukit, op)
    a = (G, X) if bwd else (X,)
    extra = () if bwd else (-3.0,)
    _bp(op, "NaN", lambda out, f=f, a=a, e=extra: f(*a, NAN, *e, out=out), problem="threshold must not be NaN")
    _bp(op, "object", lambda out, f=f, a=a, e=extra: f(*a, np.array([0.1], object), *e, out=out),
        TypeError, "threshold must be a real")
_bp("threshold", "value NaN", lambda out: relukit.threshold(X, 0.0, NAN, out=out), problem="value must not be NaN")
_bp("threshold_backward", "from_output without value",
    lambda out: relukit.threshold_backward(G, X, 0.0, from_output=True, out=out), problem="value")
_bp("threshold_backward", "from_output value>threshold",
    lambda out: relukit.threshold_backward(G, X, 0.0, value=1.0, from_output=True, out=out),
    problem="value <= threshold")

for op, bwd in [("leaky_relu", False), ("leaky_relu_backward", True)]:
    f = getattr(relukit, op)
    a = (G, X) if bwd else (X,)
    _bp(op, "NaN", lambda out, f=f, a=a: f(*a, NAN, out=out), problem="negative_slope must not be NaN")
    _bp(op, "NaN in array", lambda out, f=f, a=a: f(*a, np.array([0.1, NAN, 0.1]), out=out),
        problem="negative_slope must not be NaN")
    _bp(op, "complex", lambda out, f=f, a=a: f(*a, 0.1 + 1j, out=out), TypeError, "negative_slope must be a real")
_bp("leaky_relu_backward", "from_output negative slope",
    lambda out: relukit.leaky_relu_backward(G, X, -0.1, from_output=True, out=out), problem="negative_slope >= 0")

for op, bwd in [("prelu", False), ("prelu_backward", True)]:
    f = getattr(relukit, op)
    x2 = np.ones((2, 3))
    a = (np.ones((2, 3)), x2) if bwd else (x2,)
    _bp(op, "weight length", lambda out, f=f, a=a: f(*a, np.ones(4), out=out), problem="weight has length 4")
    _bp(op, "weight 2-D", lambda out, f=f, a=a: f(*a, np.ones((3, 1)), out=out), problem="scalar or 1-D")
    _bp(op, "weight NaN", lambda out, f=f, a=a: f(*a, np.array([0.1, NAN, 0.2]), out=out),
        problem="weight must not be NaN")
    _bp(op, "weight complex", lambda out, f=f, a=a: f(*a, np.ones(3) * 1j, out=out), TypeError,
        "weight must be real")
    _bp(op, "axis", lambda out, f=f, a=a: f(*a, np.ones(3), 5, out=out), problem="axis 5 is out of bounds")
    _bp(op, "0-d x", lambda out, f=f, bwd=bwd: (f(np.float64(1), np.float64(1), np.ones(3), out=out) if bwd
                                                else f(np.float64(1), np.ones(3), out=out)),
        problem="channel axis")

_bp("rrelu", "lower>upper", lambda out: relukit.rrelu(X, 0.5, 0.25, out=out), problem="lower must be <= upper")
_bp("rrelu", "negative", lambda out: relukit.rrelu(X, -0.5, 0.25, out=out), problem=">= 0")
_bp("rrelu", "NaN", lambda out: relukit.rrelu(X, NAN, 0.25, training=True, out=out), problem="lower must not be NaN")
_bp("rrelu", "array bounds", lambda out: relukit.rrelu(X, np.zeros(3), 0.25, out=out), problem="scalars")
_bp("rrelu", "str", lambda out: relukit.rrelu(X, "a", 0.25, out=out), TypeError, "lower must be a real")
_bp("rrelu_backward", "noise NaN", lambda out: relukit.rrelu_backward(G, X, np.array([NAN, 1, 1]), out=out),
    problem="noise must not be NaN")
_bp("rrelu_backward", "noise complex", lambda out: relukit.rrelu_backward(G, X, np.ones(3) * 1j, out=out),
    TypeError, "noise must be a real")

for op, bwd in [("elu", False), ("elu_backward", True), ("celu", False), ("celu_backward", True)]:
    f = getattr(relukit, op)
    a = (G, X) if bwd else (X,)
    _bp(op, "NaN", lambda out, f=f, a=a: f(*a, NAN, out=out), problem="alpha must not be NaN")
    _bp(op, "complex", lambda out, f=f, a=a: f(*a, 1j, out=out), TypeError, "alpha must be a real")
for op, bwd in [("celu", False), ("celu_backward", True)]:
    f = getattr(relukit, op)
    a = (G, X) if bwd else (X,)
    _bp(op, "alpha 0", lambda out, f=f, a=a: f(*a, 0.0, out=out), problem="alpha must not be 0")
    _bp(op, "alpha 0 in array", lambda out, f=f, a=a: f(*a, np.array([1.0, 0.0, 1.0]), out=out),
        problem="alpha must not be 0")
_bp("elu_backward", "from_output alpha<0",
    lambda out: relukit.elu_backward(G, X, -1.0, from_output=True, out=out), problem="alpha >= 0")
_bp("celu_backward", "from_output alpha<0",
    lambda out: relukit.celu_backward(G, X, -1.0, from_output=True, out=out), problem="alpha > 0")

for op, bwd in [("softplus", False), ("softplus_backward", True)]:
    f = getattr(relukit, op)
    a = (G, X) if bwd else (X,)
    _bp(op, "beta 0", lambda out, f=f, a=a: f(*a, 0, out=out), problem="beta must not be 0")
    _bp(op, "beta NaN", lambda out, f=f, a=a: f(*a, NAN, out=out), problem="beta must not be NaN")
    _bp(op, "threshold NaN", lambda out, f=f, a=a: f(*a, 1.0, NAN, out=out), problem="threshold must not be NaN")
    _bp(op, "threshold str", lambda out, f=f, a=a: f(*a, 1.0, "20", out=out), TypeError,
        "threshold must be a real")

for op, bwd in [("gelu", False), ("gelu_backward", True)]:
    f = getattr(relukit, op)
    a = (G, X) if bwd else (X,)
    _bp(op, "approximate", lambda out, f=f, a=a: f(*a, "fast", out=out), problem="approximate must be")
    _bp(op, "approximate None", lambda out, f=f, a=a: f(*a, None, out=out), problem="approximate must be")
    _bp(op, "approximate list", lambda out, f=f, a=a: f(*a, ["tanh"], out=out), problem="approximate must be")
_bp("gelu_backward", "from_output", lambda out: relukit.gelu_backward(G, X, from_output=True, out=out),
    problem="from_output")
for op in ("hardswish_backward", "silu_backward", "swish_backward", "mish_backward"):
    f = getattr(relukit, op)
    _bp(op, "from_output", lambda out, f=f: f(G, X, from_output=True, out=out), problem="from_output")


@pytest.mark.parametrize("op, call, exc, problem", BAD_PARAMS)
def test_invalid_parameter(op, call, exc, problem):
    out = _sentinel_out((2, 3) if op.startswith("prelu") else X.shape)
    with pytest.raises(exc) as ei:
        call(out)
    msg = str(ei.value)
    assert any(re.search(rf"\b{n}\b", msg) for n in _names_for(op)), f"message does not name {op}: {msg!r}"
    assert problem in msg or re.search(problem, msg), f"message does not say {problem!r}: {msg!r}"
    _untouched(out, op)


def test_every_parametric_op_has_bad_parameters():
    covered = {p.values[0] for p in BAD_PARAMS}
    parametric = {"hardtanh", "hardtanh_backward", "threshold", "threshold_backward", "leaky_relu",
                  "leaky_relu_backward", "prelu", "prelu_backward", "rrelu", "rrelu_backward", "elu",
                  "elu_backward", "celu", "celu_backward", "softplus", "softplus_backward", "gelu",
                  "gelu_backward"}
    assert parametric <= covered


# ---------------------------------------------------------------- argument counts
@pytest.mark.parametrize("name", PUBLIC_OPS)
def test_wrong_argument_counts(name):
    f = getattr(relukit, name)
    out = _sentinel_out()
    many = (X,) * 8
    calls = [lambda: f(), lambda: f(*many, out=out), lambda: f(X, X, X, X, X, X, X, foo=1, out=out)]
    if name.endswith("_backward"):
        calls.append(lambda: f(X, out=out))  # the gradient alone
    for call in calls:
        with pytest.raises(TypeError) as ei:
            call()
        _check(name, ei, r"argument|positional|keyword")
        _untouched(out, name)


@pytest.mark.parametrize("name", PUBLIC_OPS)
def test_unknown_keyword(name):
    bwd = name.endswith("_backward")
    out = _sentinel_out()
    name_in_ops = name if name in OPS else next(n for n in OPS if _public(n) == name)
    with pytest.raises(TypeError) as ei:
        _call(name_in_ops, out=out, no_such_keyword=1)
    _check(name_in_ops, ei, "no_such_keyword")
    _untouched(out, name)
    assert bwd == OPS[name_in_ops][0]


@pytest.mark.parametrize("shape", [(200_003,), (3, 70_001), (70_001, 3), (2, 3, 40_000)], ids=str)
def test_parameter_checks_see_every_block(shape):
    """Array parameters are checked blockwise (no temporary the size of x): a
    bad value in the last element, or behind a transposed view, is still found."""
    x = np.zeros(shape)
    out = np.full(shape, SENTINEL)
    good = np.full(shape, 0.5)
    last = (-1,) * len(shape)
    for f, args, problem in [
        (relukit.leaky_relu, ("nan",), "negative_slope must not be NaN"),
        (relukit.celu, ("zero",), "alpha must not be 0"),
        (relukit.hardtanh, ("big", "ok"), "min_val must be <= max_val"),
        (relukit.leaky_relu_backward, ("neg",), "negative_slope >= 0"),
    ]:
        params = []
        for kind in args:
            p = good.copy()
            p[last] = {"nan": np.nan, "zero": 0.0, "big": 2.0, "ok": 0.5, "neg": -0.5}[kind]
            params.append(p if len(shape) == 1 else p.T.copy().T)  # Fortran-ordered copy
        with pytest.raises(ValueError, match=problem):
            if f is relukit.leaky_relu_backward:
                f(x, x, *params, from_output=True, out=out)
            else:
                f(x, *params, out=out)
        _untouched(out, f.__name__)
