"""The GPU's float32 bodies (``relukit.cuda._f32``) checked against the CPU's
float32 kernels, on the CPU, no GPU needed.

The bodies' source, as the kernel generator writes it (every float operation
explicit), is compiled with Numba's CPU target: ``ADD``/``SUB``/``MUL``/``DIV``
are float32 operations rounded once (typed float32 only, so a stray float64 is
an error, not a silent widening), ``fma`` is LLVM's fused multiply-add (one
rounding; the CPU target never contracts a separate multiply and add), and
``RARE`` is the generic body in float64 with the C library's exp, log1p, erfc.
The results are compared bit for bit with the CPU ufuncs of the running target.

Only ``RARE`` differs from the GPU: libdevice's float64 functions against the C
library's, both within a few float64 ULPs, so the float32 results differ only
where the float64 value lies within about 2^-20 float32 ULP of a rounding
boundary; the check reports every mismatch with its distance in ULPs.

Command line::

    python -m relukit.cuda._f32check [--exhaustive] [--samples N] [ROW ...]

(all float32 inputs with ``--exhaustive``, g = 1 and g from a fixed normal
sample for the gradients; otherwise N random float32 bit patterns).  A gated
row: the activated operand (glu: the gate b) over every bit pattern, or N random
ones, the partner and g random (normal, log-uniform over 2^+-40, random bits).
"""
import argparse
import math
import re
import sys
import time

import numpy as np

from relukit.cuda import _f32
from relukit.cuda._table import GATED_ROWS, ROWS, ufunc_name

_COMPILED = {}


def _cpu_namespace():
    import numba
    from llvmlite import ir
    from numba import types as nt
    from numba.core import errors
    from numba.extending import intrinsic

    def _binop(op):
        @intrinsic
        def f(typingctx, a, b):
            if not (a == nt.float32 and b == nt.float32):
                raise errors.TypingError(f"float32 body: {op} of {a} and {b} (float32 only)")

            def codegen(context, builder, sig, args):
                return getattr(builder, op)(args[0], args[1])
            return nt.float32(a, b), codegen
        return f

    @intrinsic
    def fma(typingctx, a, b, c):
        if not (isinstance(a, nt.Float) and a == b == c):
            raise errors.TypingError(f"fma of {a}, {b}, {c}")

        def codegen(context, builder, sig, args):
            ty = args[0].type
            fn = builder.module.declare_intrinsic("llvm.fma", [ty], ir.FunctionType(ty, [ty] * 3))
            return builder.call(fn, args)
        return a(a, b, c), codegen

    f2i, i2f = _f32.bit_intrinsics(intrinsic, nt)

    return numba, {
        "K": nt.float32, "D": nt.float64, "F32": nt.float32, "I32": nt.int32,
        "CT": True, "DW": False,
        "ADD": _binop("fadd"), "SUB": _binop("fsub"), "MUL": _binop("fmul"),
        "DIV": _binop("fdiv"), "fma": fma, "f2i": f2i, "i2f": i2f,
        "exp": math.exp, "expm1": math.expm1, "log1p": math.log1p, "erfc": math.erfc,
        "isnan": math.isnan, "isinf": math.isinf, "floor": math.floor, "ldexp": math.ldexp,
    }


def source(row):
    """The module source the check compiles for `row`: the kernel generator's own
    text of the body (the float32 body ``f``, its helpers, and the generic body in
    float64 as ``f64`` for ``RARE``; ``fma`` left generic), and a driver."""
    from relukit.cuda import _kernels
    text = _f32._dedent(_kernels._body_function(row, True, gpu=False))
    nin = GATED_ROWS[row][0] if row in GATED_ROWS else None
    if nin is None:
        drive = ("def drive(x, g, a, b, out, out2):\n"
                 "    for i in prange(x.size):\n"
                 "        out[i] = f(x[i], g[i], a, b)\n")
    elif nin == 2:
        drive = ("def drive(x, g, a, b, out, out2):\n"
                 "    for i in prange(x.size):\n"
                 "        out[i] = f(x[i], g[i])\n")
    else:
        drive = ("def drive(x, g, a, b, out, out2):\n"
                 "    for i in prange(x.size):\n"
                 "        out[i], out2[i] = f(a[i], x[i], g[i])\n")
    return text + drive


def compiled(row):
    """The driver ``drive(x, g, a, b, out, out2)`` of `row`'s float32 body (CPU)."""
    fn = _COMPILED.get(row)
    if fn is None:
        numba, ns = _cpu_namespace()
        ns["prange"] = numba.prange
        exec(compile(source(row), f"<relukit.cuda float32 body {row}>", "exec"), ns)
        for name, obj in list(ns.items()):
            if callable(obj) and getattr(obj, "__code__", None) is not None and \
                    obj.__code__.co_filename.startswith("<relukit.cuda float32 body"):
                ns[name] = (numba.njit(parallel=True) if name == "drive" else
                            numba.njit(inline="always"))(obj)
        fn = _COMPILED[row] = ns["drive"]
    return fn


def gated_body(row, a, b, g=None):
    """A gated row's float32 body on float32 arrays: the forward's y from (a, b),
    the backward's (grad_a, grad_b) from (g, a, b)."""
    a = np.ascontiguousarray(a, np.float32).ravel()
    b = np.ascontiguousarray(np.broadcast_to(b, a.shape), np.float32).ravel()
    y, y2 = np.empty_like(a), np.empty_like(a)
    if GATED_ROWS[row][0] == 2:
        compiled(row)(a, b, np.float32(0), np.float32(0), y, y2)
        return y
    g = np.ascontiguousarray(np.broadcast_to(g, a.shape), np.float32).ravel()
    compiled(row)(a, b, g, np.float32(0), y, y2)  # the driver's (x, g, a): (a, b, g)
    return y, y2


def gpu_body(row, x, g=None, params=()):
    """`row`'s float32 body on float32 arrays x (and g), as the GPU computes it
    (but for RARE's float64 library)."""
    x = np.ascontiguousarray(x, np.float32)
    g = np.ones_like(x) if g is None else np.ascontiguousarray(np.broadcast_to(g, x.shape),
                                                              np.float32)
    a, b = (list(np.float32(p) for p in params) + [np.float32(0), np.float32(0)])[:2]
    out = np.empty_like(x)
    compiled(row)(x.ravel(), g.ravel(), a, b, out.ravel(), np.empty(0, np.float32))
    return out


def cpu_kernel(row, x, g=None, params=()):
    """The CPU ufunc of `row` on float32 x (and g) with float32 parameters."""
    import relukit._ufuncs as U
    uf = U.UFUNCS[ufunc_name(row)]
    args = ([np.float32(1) * np.ones_like(x) if g is None else g] if ROWS[row][0] == 2 else [])
    args += [x] + [np.float32(p) for p in params]
    with np.errstate(all="ignore"):
        return uf(*args, dtype=np.float32)


def default_params(row):
    """The public defaults of a row's scalar parameters (float32)."""
    from relukit._optable import BY_NAME
    op = BY_NAME.get(re.sub(r"_bwd(_y)?$", "", row))  # gelu_tanh: gelu's other form
    return () if op is None else tuple(p.default for p in op.params if p.name != "approximate")


def ulp_distance(u, v):
    """|u - v| in float32 ULPs of the ordered bit patterns (NaN: 0 if both NaN)."""
    def key(w):
        i = w.view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    d = np.abs(key(u) - key(v))
    both_nan = np.isnan(u) & np.isnan(v)
    return np.where(both_nan, 0, d)


def compare(row, x, g=None, params=None):
    """(count, mismatches, largest distance in ULPs, examples) of the float32 body
    against the CPU kernel on x (and g)."""
    params = default_params(row) if params is None else params
    y = gpu_body(row, x, g, params)
    r = cpu_kernel(row, x, g if ROWS[row][0] == 2 else None, params)
    if ROWS[row][0] == 2 and g is None:
        r = cpu_kernel(row, x, np.ones_like(x), params)
    same = (y.view(np.uint32) == r.view(np.uint32)) | (np.isnan(y) & np.isnan(r))
    bad = np.nonzero(~same)[0]
    dist = int(ulp_distance(y[bad], r[bad]).max()) if bad.size else 0
    ex = [(float(x[i]), None if g is None else float(np.broadcast_to(g, x.shape)[i]),
           float(y[i]), float(r[i])) for i in bad[:5]]
    return x.size, bad.size, dist, ex


def compare_gated(row, a, b, g=None):
    """As :func:`compare`, for a gated row on float32 operands (a backward's two
    gradients side by side: 2n results)."""
    import relukit._ufuncs as U
    uf = U.GATED_UFUNCS[ufunc_name(row)]
    fwd = GATED_ROWS[row][0] == 2
    with np.errstate(all="ignore"):
        r = uf(a, b) if fwd else uf(g, a, b)
    y = gated_body(row, a, b, None if fwd else g)
    y = y if fwd else np.concatenate(y)
    r = r if fwd else np.concatenate(r)
    same = (y.view(np.uint32) == r.view(np.uint32)) | (np.isnan(y) & np.isnan(r))
    bad = np.nonzero(~same)[0]
    dist = int(ulp_distance(y[bad], r[bad]).max()) if bad.size else 0
    n = a.size
    ex = [(float(a[i % n]), float(b[i % n]), None if fwd else float(g[i % n]),
           "y" if fwd else ("grad_a", "grad_b")[i // n], float(y[i]), float(r[i]))
          for i in bad[:5]]
    return y.size, bad.size, dist, ex


def gated_operands(rng, n):
    """(a, b, g) for the gated check: each a random bit pattern (every binade),
    the partner and g from a normal sample, a wide log-uniform one or random bits."""
    def bits(k):
        return rng.integers(0, 1 << 32, k, dtype=np.uint64).astype(np.uint32).view(np.float32)

    def mixed(k):
        w = (rng.standard_normal(k) * np.exp2(rng.uniform(-40, 40, k))).astype(np.float32)
        return np.where(np.arange(k) % 3 == 0, rng.standard_normal(k).astype(np.float32),
                        np.where(np.arange(k) % 3 == 1, w, bits(k)))
    return bits(n), mixed(n), mixed(n)


def _main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m relukit.cuda._f32check",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", nargs="*", help="rows (default: every row with a float32 body)")
    ap.add_argument("--exhaustive", action="store_true", help="all 2^32 float32 inputs")
    ap.add_argument("--samples", type=int, default=1 << 22)
    ns = ap.parse_args(argv)
    rows = ns.rows or list(_f32.F32_ROWS) + list(_f32.F32_GATED)
    worst = 0
    for row in rows:
        t0 = time.time()
        if row in GATED_ROWS:
            # the activated operand over every bit pattern (exhaustive: in chunks), the
            # partner and g random (glu: its gate b is the activated one)
            total = bad = dist = 0
            ex = []
            rng = np.random.default_rng(1)
            chunks = range(0, 1 << 32, 1 << 26) if ns.exhaustive else [None]
            for c in chunks:
                n = ns.samples if c is None else 1 << 26
                a, b, g = gated_operands(rng, n)
                if c is not None:
                    v = np.arange(c, c + n, dtype=np.uint64).astype(np.uint32).view(np.float32)
                    a, b = (b, v) if row.startswith("glu") else (v, b)
                k, bb, d, e = compare_gated(row, a, b, g)
                total, bad, dist = total + k, bad + bb, max(dist, d)
                ex += e[: max(0, 5 - len(ex))]
            worst = max(worst, dist)
            print(f"{row:20s} {total:12d} results {bad:8d} differ  max {dist} ULP  "
                  f"({time.time() - t0:.1f} s)", flush=True)
            for e in ex:
                print(f"    a={e[0]!r} b={e[1]!r} g={e[2]!r} {e[3]}: body {e[4]!r}, CPU {e[5]!r}")
            continue
        total = bad = dist = 0
        ex = []
        gs = [None] if ROWS[row][0] == 1 else ["one", "normal"]
        for gk in gs:
            chunks = range(0, 1 << 32, 1 << 26) if ns.exhaustive else [None]
            rng = np.random.default_rng(1)
            for c in chunks:
                if c is None:
                    x = rng.integers(0, 1 << 32, ns.samples, dtype=np.uint64).astype(
                        np.uint32).view(np.float32)
                else:
                    x = np.arange(c, c + (1 << 26), dtype=np.uint64).astype(np.uint32).view(
                        np.float32)
                g = None if gk in (None, "one") else rng.standard_normal(x.size).astype(np.float32)
                n, b, d, e = compare(row, x, g)
                total, bad, dist = total + n, bad + b, max(dist, d)
                ex += e[: max(0, 5 - len(ex))]
        worst = max(worst, dist)
        print(f"{row:20s} {total:12d} inputs  {bad:8d} differ  max {dist} ULP  "
              f"({time.time() - t0:.1f} s)", flush=True)
        for e in ex:
            print(f"    x={e[0]!r} g={e[1]!r}: body {e[2]!r}, CPU {e[3]!r}")
    return 0 if worst <= 1 else 1


if __name__ == "__main__":
    sys.exit(_main())
