"""Leaks and temporaries.

* ``CALLS`` = 10^5 calls of every public op (and of its from-output and
  approximate='tanh' forms), half allocating and half with ``out=``, on small
  arrays, after a warm-up: the process's resident memory grows by less than
  ``RSS_TOLERANCE``, and no operand, parameter or ufunc gains a reference.
  Rejected calls (10^4 per op kind) leak nothing either.
* With ``out=`` no call allocates anything the size of its input
  (tracemalloc, which NumPy reports its buffers to): every ufunc of the kernel
  list in float16/32/64, contiguous, strided and in place, and the wrappers
  that tests/test_protocol.py does not already cover there.
"""
import gc
import os
import sys
import tracemalloc

import numpy as np
import pytest
from conftest import GATED, public_ops, table_calls

import relukit
from relukit import _ufuncs

CALLS = 100_000
WARMUP = 2_000
RSS_TOLERANCE = 2 << 20  # bytes; a leak of one 64-element array per call would be ~37 MB
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss():
    """Resident set size in bytes (Linux /proc; resource's peak elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


X = np.linspace(-6, 6, 64, dtype=np.float32)
G = np.linspace(2, -2, 64, dtype=np.float32)
OUT = np.empty_like(X)
W = np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32)
NOISE = np.where(X < 0, np.float32(0.2), np.float32(1))
SLOPES = np.full(64, 0.3, dtype=np.float32)
RNG = np.random.default_rng(0)

# public op (with variants) -> call(out or None): every variant of the op table's
# ops (conftest.table_calls), and array parameters, prelu and rrelu
OPS = {name: ((lambda o, f=f, ps=ps, kw=kw: f(G, X, *ps, out=o, **kw)) if bwd else
              (lambda o, f=f, ps=ps, kw=kw: f(X, *ps, out=o, **kw)))
       for name, (bwd, f, ps, kw) in table_calls().items()}
OPS.update({
    "leaky_relu[array]": lambda o: relukit.leaky_relu(X, SLOPES, out=o),
    "prelu": lambda o: relukit.prelu(X.reshape(4, 16), W, axis=0, out=None if o is None else o.reshape(4, 16)),
    "prelu_backward": lambda o: relukit.prelu_backward(G.reshape(4, 16), X.reshape(4, 16), W, axis=0,
                                                       out=None if o is None else o.reshape(4, 16)),
    "rrelu": lambda o: relukit.rrelu(X, out=o),
    "rrelu[training]": lambda o: relukit.rrelu(X, training=True, rng=RNG, out=o),
    "rrelu_backward": lambda o: relukit.rrelu_backward(G, X, NOISE, out=o),
})


def test_table_covers_the_public_api():
    public = set(public_ops()) - GATED  # (the gated family: test_gated.py)
    assert {n.split("[")[0] for n in OPS} == public


def _refcounts():
    objs = [X, G, OUT, W, NOISE, SLOPES, RNG, *(_ufuncs.UFUNCS.values())]
    return [sys.getrefcount(o) for o in objs]


def _run(call, n):
    for i in range(n // 2):
        call(None)
        call(OUT)


@pytest.mark.parametrize("name", list(OPS))
def test_no_growth_over_many_calls(name):
    call = OPS[name]
    _run(call, WARMUP)
    gc.collect()
    refs = _refcounts()
    before = _rss()
    _run(call, CALLS)
    gc.collect()
    grown = _rss() - before
    assert _refcounts() == refs, f"{name}: an operand, parameter or ufunc gained references"
    assert grown < RSS_TOLERANCE, f"{name}: resident memory grew by {grown / 2**20:.1f} MiB over {CALLS} calls"


BAD_CALLS = {
    "ufunc, wrong dtype": lambda: relukit.mish(X.astype(np.complex64)),
    "ufunc, read-only out": lambda: relukit.relu(X, out=_READ_ONLY),
    "wrapper, bad parameter": lambda: relukit.hardtanh(X, 2.0, 1.0),
    "wrapper, ufunc error": lambda: relukit.prelu(X, 0.1, out=_READ_ONLY),
    "wrapper, wrong dtype": lambda: relukit.gelu_backward(G, X.astype(np.complex64), "tanh"),
}
_READ_ONLY = np.zeros_like(X)
_READ_ONLY.flags.writeable = False


@pytest.mark.parametrize("kind", list(BAD_CALLS))
def test_no_growth_over_rejected_calls(kind):
    call = BAD_CALLS[kind]

    def many(n):
        for _ in range(n):
            try:
                call()
            except (TypeError, ValueError):
                pass
            else:
                raise AssertionError(f"{kind}: the call was not rejected")

    many(WARMUP)
    gc.collect()
    refs = _refcounts()
    before = _rss()
    many(CALLS // 10)
    gc.collect()
    assert _refcounts() == refs
    assert _rss() - before < RSS_TOLERANCE


# ---------------------------------------------------------------- temporaries
def _peak_of(call):
    call()  # warm up (cached parameters, lazy imports)
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _sample_params(name, dtype):
    from relukit._reference import SAMPLE_PARAMS

    return [np.asarray(p, dtype=dtype) for p in SAMPLE_PARAMS.get(name, ())]


@pytest.mark.parametrize("layout", ["contiguous", "strided", "in-place"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_ufuncs_with_out_allocate_no_input_sized_temporary(dtype, layout):
    n = 1 << 18
    rng = np.random.default_rng(5)
    base = (rng.standard_normal(2 * n) * 4).astype(dtype)
    gbase = rng.standard_normal(2 * n).astype(dtype)
    if layout == "strided":
        x, g = base[::2], gbase[::-2]
    else:
        x, g = base[:n], gbase[:n]
    out = np.empty(n, dtype)
    failures = []
    for name, uf in sorted(_ufuncs.UFUNCS.items()):
        params = _sample_params(name, dtype)
        operands = (g, x) if uf.nin - len(params) == 2 else (x,)
        if layout == "in-place":
            target = x.copy()
            operands = operands[:-1] + (target,)
        else:
            target = out
        peak = _peak_of(lambda: uf(*operands, *params, out=target))
        if peak >= x.nbytes // 16:
            failures.append(f"{name}: {peak} bytes")
    assert not failures, f"{np.dtype(dtype).name} {layout}: allocations with out= (x is {x.nbytes} bytes): {failures}"


def test_wrappers_with_out_allocate_no_input_sized_temporary():
    """The wrappers test_protocol.py does not cover with out= (there: the
    forward ops, relu/leaky/elu/silu/softplus/mish/gelu backward, prelu and
    rrelu in eval mode)."""
    n = 1 << 18
    x = (np.random.default_rng(6).standard_normal(n) * 4).astype(np.float32)
    g = np.ones_like(x)
    out = np.empty_like(x)
    slopes = np.full(n, 0.3, np.float32)
    lows = -slopes
    calls = {
        "relu6_backward": lambda: relukit.relu6_backward(g, x, from_output=True, out=out),
        "hardtanh_backward": lambda: relukit.hardtanh_backward(g, x, -0.5, 2.0, out=out),
        "threshold_backward": lambda: relukit.threshold_backward(g, x, 0.5, value=-1.0, from_output=True, out=out),
        "leaky_relu[array slope]": lambda: relukit.leaky_relu(x, slopes, out=out),
        "rrelu_backward": lambda: relukit.rrelu_backward(g, x, slopes, out=out),
        "hardsigmoid_backward": lambda: relukit.hardsigmoid_backward(g, x, from_output=True, out=out),
        "hardswish_backward": lambda: relukit.hardswish_backward(g, x, out=out),
        "celu_backward": lambda: relukit.celu_backward(g, x, 2.0, from_output=True, out=out),
        "selu_backward": lambda: relukit.selu_backward(g, x, out=out),
        "softplus_backward[y]": lambda: relukit.softplus_backward(g, x, from_output=True, out=out),
        "gelu_backward[tanh]": lambda: relukit.gelu_backward(g, x, "tanh", out=out),
        "elu_backward[y]": lambda: relukit.elu_backward(g, x, from_output=True, out=out),
        "hardtanh[array bounds]": lambda: relukit.hardtanh(x, lows, slopes, out=out),
        "celu[array alpha]": lambda: relukit.celu(x, slopes, out=out),
    }
    peaks = {name: _peak_of(call) for name, call in calls.items()}
    bad = {k: v for k, v in peaks.items() if v >= x.nbytes // 16}
    assert not bad, f"allocations with out= (x is {x.nbytes} bytes): {bad}"


def test_prelu_backward_temporaries_do_not_grow_with_x():
    """prelu_backward sums the weight gradient in blocks of a fixed number of
    elements: its temporaries are bounded by the block, not by x."""
    peaks = {}
    for n in (1 << 20, 1 << 22):
        x = (np.random.default_rng(7).standard_normal(n) * 4).astype(np.float32).reshape(4, 4, -1)
        g = np.ones_like(x)
        out = np.empty_like(x)
        w = np.full(4, 0.1, np.float32)
        peaks[n] = _peak_of(lambda: relukit.prelu_backward(g, x, w, out=out))
    small, large = peaks.values()
    assert large <= small * 1.05, f"prelu_backward temporaries grow with x: {peaks}"
    assert large < (4 << 22) // 16
