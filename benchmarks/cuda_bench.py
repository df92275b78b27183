"""Bandwidth of relukit.cuda against PyTorch, CuPy and a device-to-device copy.

Every kernel row (each op, forward and backward, from_output included) at
1 GiB per array (``--gib``), float32, float16 and bfloat16.  Everything runs in
one process on one stream and is timed with CUDA events: ``--reps`` timed
calls after ``--warmup`` untimed ones (the first call also compiles the
kernel), each timing ``--inner`` back-to-back calls; the median per call is
reported.  GB/s counts the bytes read and written
(forward: x and y, 2 n itemsize; backward: g, x and dL/dx, 3 n itemsize; the
gated rows, n elements per operand: forward a, b and y, 3 n itemsize; backward
g, a, b and both gradients, 5 n itemsize), and every figure is also given as a
percentage of the device-to-device copy measured in the same run (``copy_`` of
the same size: 2 n itemsize bytes).  The gated rows run their two-operand
kernels with a and b the two rows of one (2, n) array, the layout of torch's
fused ``glu`` (its peer); the other gated peers are torch's composites (what a
user writes: ``F.silu(a) * b``, and for the backward the activation's backward
kernel on ``g * b`` and ``g * act(a)``).

Usage::

    python benchmarks/cuda_bench.py [--gib 1] [--dtypes float32 float16 bfloat16]
                                    [--ops relu gelu ...] [--json results.json]
                                    [--no-host | --host-only] [--lock FILE]

Then the host time per call (``host_overhead``): relu, gelu and gelu_backward,
with out= and allocating, and swiglu (two operands, out= and allocating; the
split form on an (n/1024, 2048) array) and swiglu_backward (allocating), at 4 Ki,
1 Mi and 64 Mi float32 elements, against torch's op (its composite for swiglu)
and CuPy's where it has one.

Needs a GPU, numba-cuda and PyTorch (CuPy optional).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np


def torch_peers(torch):
    """Row -> f(g, x, y) with PyTorch's own kernel for it (None: no such op)."""
    F = torch.nn.functional
    aten = torch.ops.aten
    A, S = 1.6732632423543772, 1.0507009873554805  # SELU's alpha and scale
    return {
        "relu": lambda g, x, y: F.relu(x),
        "relu_bwd": lambda g, x, y: aten.threshold_backward(g, x, 0),
        "relu6": lambda g, x, y: F.relu6(x),
        "relu6_bwd": lambda g, x, y: aten.hardtanh_backward(g, x, 0.0, 6.0),
        "hardtanh": lambda g, x, y: F.hardtanh(x, -1.0, 1.0),
        "hardtanh_bwd": lambda g, x, y: aten.hardtanh_backward(g, x, -0.5, 2.0),
        "threshold": lambda g, x, y: F.threshold(x, 0.25, -3.0),
        "threshold_bwd": lambda g, x, y: aten.threshold_backward(g, x, 0.25),
        "leaky_relu": lambda g, x, y: F.leaky_relu(x, 0.01),
        "leaky_relu_bwd": lambda g, x, y: aten.leaky_relu_backward(g, x, 0.2, False),
        "hardsigmoid": lambda g, x, y: F.hardsigmoid(x),
        "hardsigmoid_bwd": lambda g, x, y: aten.hardsigmoid_backward(g, x),
        "hardsigmoid_bwd_y": None,
        "hardswish": lambda g, x, y: F.hardswish(x),
        "hardswish_bwd": lambda g, x, y: aten.hardswish_backward(g, x),
        "elu": lambda g, x, y: F.elu(x, 1.0),
        "elu_bwd": lambda g, x, y: aten.elu_backward(g, 1.0, 1.0, 1.0, False, x),
        "celu": lambda g, x, y: F.celu(x, 1.0),
        "celu_bwd": lambda g, x, y: aten.elu_backward(g, 1.0, 1.0, 1.0, False, x),
        "selu": lambda g, x, y: F.selu(x),
        "selu_bwd": lambda g, x, y: aten.elu_backward(g, A, S, 1.0, False, x),
        "silu": lambda g, x, y: F.silu(x),
        "silu_bwd": lambda g, x, y: aten.silu_backward(g, x),
        "softplus": lambda g, x, y: F.softplus(x, 1.0, 20.0),
        "softplus_bwd": lambda g, x, y: aten.softplus_backward(g, x, 1.0, 20.0),
        "mish": lambda g, x, y: F.mish(x),
        "mish_bwd": lambda g, x, y: aten.mish_backward(g, x),
        "elu_bwd_y": lambda g, x, y: aten.elu_backward(g, 1.0, 1.0, 1.0, True, y),
        "celu_bwd_y": lambda g, x, y: aten.elu_backward(g, 1.0, 1.0, 1.0, True, y),
        "selu_bwd_y": lambda g, x, y: aten.elu_backward(g, A, S, 1.0, True, y),
        "softplus_bwd_y": None,
        "gelu": lambda g, x, y: F.gelu(x),
        "gelu_bwd": lambda g, x, y: aten.gelu_backward(g, x),
        "gelu_tanh": lambda g, x, y: F.gelu(x, approximate="tanh"),
        "gelu_tanh_bwd": lambda g, x, y: aten.gelu_backward(g, x, approximate="tanh"),
    }


def torch_gated_peers(torch):
    """Gated row -> f(g, a, b, x2) with PyTorch's way to compute it: its fused glu
    kernels (x2: the (2, n) array whose rows are a and b), else the composite of its
    activation's kernels (the activation's backward kernel on g * b for grad_a)."""
    F = torch.nn.functional
    aten = torch.ops.aten

    def bwd(act, dact):
        return lambda g, a, b, x2: (dact(g * b, a), g * act(a))
    return {
        "glu": lambda g, a, b, x2: F.glu(x2, 0),
        "glu_bwd": lambda g, a, b, x2: aten.glu_backward(g.view(1, -1), x2, 0),
        "reglu": lambda g, a, b, x2: F.relu(a) * b,
        "reglu_bwd": bwd(lambda a: F.relu(a), lambda gb, a: aten.threshold_backward(gb, a, 0)),
        "geglu": lambda g, a, b, x2: F.gelu(a) * b,
        "geglu_bwd": bwd(lambda a: F.gelu(a), lambda gb, a: aten.gelu_backward(gb, a)),
        "geglu_tanh": lambda g, a, b, x2: F.gelu(a, approximate="tanh") * b,
        "geglu_tanh_bwd": bwd(lambda a: F.gelu(a, approximate="tanh"),
                              lambda gb, a: aten.gelu_backward(gb, a, approximate="tanh")),
        "swiglu": lambda g, a, b, x2: F.silu(a) * b,
        "swiglu_bwd": bwd(lambda a: F.silu(a), lambda gb, a: aten.silu_backward(gb, a)),
    }


def cupy_peers(cupy):
    """Row -> f(g, x, y) with CuPy's nearest elementwise op, where it has one."""
    return {
        "relu": lambda g, x, y: cupy.maximum(x, 0),
        "relu6": lambda g, x, y: cupy.clip(x, 0, 6),
        "hardtanh": lambda g, x, y: cupy.clip(x, -1, 1),
    }


def timed(torch, fn, warmup, reps, inner=5):
    """Median milliseconds per call of fn(), from CUDA events on the current
    stream around `inner` back-to-back calls, over `reps` such batches.  Each
    batch follows an untimed call, so the GPU is busy from the first event on:
    this is the device throughput, with the host's launch time hidden behind
    the previous kernel, as in any stream of work (host_us says what a call
    costs on the host)."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        fn()  # untimed: the GPU is busy with it while the timed calls are launched
        a.record()
        for _ in range(inner):
            fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) / inner)
    return statistics.median(times)


def gated_bandwidth(torch, _arrays, peers, rows, dname, n, gen, copy_gbs, args):
    """GB/s of the gated rows' two-operand kernels (n elements per operand; a and b
    the rows of one (2, n) array, g random, results preallocated) and of torch's way
    (``torch_gated_peers``), printed as a table; returns the result records."""
    from relukit.cuda._table import GATED_ROWS
    tdt = getattr(torch, dname)
    isz = torch.tensor([], dtype=tdt).element_size()
    x2 = (torch.randn(2, n, device="cuda", generator=gen, dtype=torch.float32) * 4).to(tdt)
    a, b = x2[0], x2[1]
    g = torch.randn(n, device="cuda", generator=gen, dtype=torch.float32).to(tdt)
    o1, o2 = torch.empty_like(a), torch.empty_like(a)
    out = []
    for row in rows:
        nin = GATED_ROWS[row][0]
        moved = (3 if nin == 2 else 5) * n * isz
        ins = [a, b] if nin == 2 else [g, a, b]
        outs = [o1] if nin == 2 else [o1, o2]
        rk = moved / timed(torch, lambda: gated_run(_arrays, row, ins, outs), args.warmup,
                           args.reps, args.inner) / 1e6
        t_gbs = None
        try:
            t_gbs = moved / timed(torch, lambda: peers[row](g, a, b, x2), args.warmup, args.reps,
                                  args.inner) / 1e6
        except Exception as exc:  # noqa: BLE001 - an op torch lacks for this dtype
            print(f"  torch {row}: {type(exc).__name__}: {exc}")
        t = f"{t_gbs:11.0f} {100 * t_gbs / copy_gbs:5.1f}%" if t_gbs else f"{'n/a':>11s} {'':6s}"
        print(f"{row:22s} {rk:13.0f} {100 * rk / copy_gbs:5.1f}% {t} {'-':>10s}")
        out.append({"row": row, "dtype": dname, "relukit_gbs": rk, "torch_gbs": t_gbs,
                    "cupy_gbs": None, "copy_gbs": copy_gbs})
    return out


HOST_SIZES = (4096, 1 << 20, 1 << 26)


def compile_all(torch, rows, dtypes, host=True):
    """Compile (and launch once) every kernel the timings will use, on small arrays:
    both variants of each row for each dtype."""
    from relukit._reference import SAMPLE_PARAMS
    from relukit.cuda import _arrays
    from relukit.cuda._table import GATED_ROWS, ROWS, ufunc_name
    for dname in dtypes:
        tdt = getattr(torch, dname)
        x = torch.randn(4099, device="cuda").to(tdt)
        for row in rows:
            name = ufunc_name(row)
            for a in (x, x[1:]):  # aligned, and one element in: both variants
                if row in GATED_ROWS:
                    gated_run(_arrays, row, [a] * GATED_ROWS[row][0])
                    continue
                ops = [_arrays.operand(name, "x", a) for _ in range(ROWS[row][0])]
                _arrays.run(name, row, tuple(ops), None,
                            [ops[-1].dtype.type(p) for p in SAMPLE_PARAMS.get(name, ())], None)
    if host:
        import relukit.cuda as rc
        x = torch.randn(4096, device="cuda")
        rc.relu(x), rc.gelu(x), rc.gelu_backward(x, x)
        rc.swiglu(x, x), rc.swiglu(x.view(2, 2048)), rc.swiglu_backward(x, x, x)
    torch.cuda.synchronize()


def gated_run(_arrays, row, tensors, outs=None):
    """Gated `row`'s two-operand kernel on torch tensors ((a, b) or (g, a, b)), into
    `outs` (new tensors if None); returns the results."""
    ops = [_arrays.operand(row, "x", t) for t in tensors]
    res = []
    for k in range(len(tensors) - 1):
        r, o = _arrays.output_shaped(row, ops[-1], ops[-1].shape, None if outs is None else outs[k], None)
        res.append((r, o))
    st = _arrays._default_stream(ops[-1])
    _arrays.run_gated(row, ops, [o for _, o in res], st)
    return [r for r, _ in res]


def host_cases(torch, cupy, rc, x, g, o, xc=None, oc=None):
    """{(op, mode): (relukit, torch, cupy or None)} callables on float32 arrays:
    relu, gelu and gelu_backward, with out= and allocating; swiglu(x, g) with out=
    and allocating, its split form on x seen as rows of 2048, and swiglu_backward
    (torch: its composites)."""
    F = torch.nn.functional
    aten = torch.ops.aten
    x2 = x.view(-1, 2048)
    cases = {
        ("relu", "out="): (lambda: rc.relu(x, out=o), lambda: torch.clamp_min(x, 0, out=o),
                           (lambda: cupy.maximum(xc, 0, out=oc)) if xc is not None else None),
        ("relu", "alloc"): (lambda: rc.relu(x), lambda: F.relu(x),
                            (lambda: cupy.maximum(xc, 0)) if xc is not None else None),
        ("gelu", "out="): (lambda: rc.gelu(x, out=o), lambda: aten.gelu.out(x, out=o), None),
        ("gelu", "alloc"): (lambda: rc.gelu(x), lambda: F.gelu(x), None),
        ("gelu_backward", "out="): (lambda: rc.gelu_backward(g, x, out=o),
                                    lambda: aten.gelu_backward.grad_input(g, x, grad_input=o), None),
        ("gelu_backward", "alloc"): (lambda: rc.gelu_backward(g, x),
                                     lambda: aten.gelu_backward(g, x), None),
        ("swiglu", "out="): (lambda: rc.swiglu(x, g, out=o),
                             lambda: torch.mul(F.silu(x), g, out=o), None),
        ("swiglu", "alloc"): (lambda: rc.swiglu(x, g), lambda: F.silu(x) * g, None),
        ("swiglu split", "alloc"): (lambda: rc.swiglu(x2), lambda: F.silu(x2[:, :1024]) * x2[:, 1024:],
                                    None),
        ("swiglu_backward", "alloc"): (lambda: rc.swiglu_backward(g, x, g),
                                       lambda: (aten.silu_backward(g * g, x), g * F.silu(x)), None),
    }
    return cases


def host_overhead(torch, cupy=None, sizes=HOST_SIZES, calls=300, reps=5):
    """Microseconds per call as the host sees them (`calls` back-to-back calls,
    then a synchronize; median of `reps`), of relukit.cuda's public API against
    torch's op (and CuPy's, where it has one) on float32 arrays of each size,
    with out= and allocating.  At 4 Ki elements this is the launch cost; at 64 Mi
    the GPU's time per call (the host waits for the queue)."""
    import time

    import relukit.cuda as rc
    out = []
    print(f"\nhost time per call, float32, us (median of {reps} x up to {calls} calls, "
          "then synchronize):")
    print(f"{'op':16s} {'mode':6s} {'elements':>9s} {'relukit':>9s} {'torch':>9s} {'cupy':>9s}"
          f" {'relukit/torch':>14s}")
    for n in sizes:
        x = torch.randn(n, device="cuda")
        g = torch.randn(n, device="cuda")
        o = torch.empty_like(x)
        xc = oc = None
        if cupy is not None:
            xc, oc = cupy.asarray(x), cupy.asarray(o)
        k = max(5, min(calls, (1 << 28) // max(n, 1)))
        for (op, mode), fns in host_cases(torch, cupy, rc, x, g, o, xc, oc).items():
            res = []
            for fn in fns:
                if fn is None:
                    res.append(None)
                    continue
                for _ in range(5):
                    fn()
                torch.cuda.synchronize()
                ts = []
                for _ in range(reps):
                    t0 = time.perf_counter()
                    for _ in range(k):
                        fn()
                    torch.cuda.synchronize()
                    ts.append((time.perf_counter() - t0) / k * 1e6)
                res.append(statistics.median(ts))
            out.append({"op": op, "mode": mode, "n": n, "relukit_us": res[0], "torch_us": res[1],
                        "cupy_us": res[2]})
            cu = f"{res[2]:9.1f}" if res[2] is not None else f"{'-':>9s}"
            print(f"{op:16s} {mode:6s} {n:9d} {res[0]:9.1f} {res[1]:9.1f} {cu} "
                  f"{res[0] / res[1]:14.2f}")
        x = g = o = xc = oc = None
        torch.cuda.empty_cache()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gib", type=float, default=1.0, help="size of each array in GiB")
    ap.add_argument("--dtypes", nargs="+", default=["float32", "float16", "bfloat16"])
    ap.add_argument("--ops", nargs="*", help="kernel rows to run (default: all)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--inner", type=int, default=5, help="calls per timed batch")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--no-host", action="store_true", help="skip the host-time table")
    ap.add_argument("--lock", metavar="FILE",
                    help="compile every kernel first, then time only while holding an exclusive "
                         "lock on FILE (several processes compile at once, and time one by one)")
    ap.add_argument("--host-only", action="store_true", help="only the host-time table")
    args = ap.parse_args(argv)

    import torch
    if not torch.cuda.is_available():
        print("cuda_bench: no GPU visible to PyTorch", file=sys.stderr)
        return 2
    try:
        import cupy
    except ImportError:
        cupy = None
    from relukit._reference import SAMPLE_PARAMS
    from relukit.cuda import _arrays
    from relukit.cuda._table import GATED_ROWS, ROWS, ufunc_name

    dev = torch.cuda.get_device_name()
    print(f"device: {dev}; torch {torch.__version__}; cupy "
          f"{cupy.__version__ if cupy else 'absent'}; arrays of {args.gib:g} GiB; "
          f"median of {args.reps} (CUDA events)")
    tp = torch_peers(torch)
    tgp = torch_gated_peers(torch)
    cp = cupy_peers(cupy) if cupy is not None else {}
    rows = [r for r in list(ROWS) + list(GATED_ROWS)
            if not args.ops or r in args.ops or ufunc_name(r) in args.ops]
    if args.host_only:
        args.dtypes = []
    if args.lock:
        t0 = time.time()
        compile_all(torch, rows, args.dtypes if not args.host_only else ["float32"],
                    host=not args.no_host)
        print(f"kernels compiled in {time.time() - t0:.0f} s; waiting for {args.lock}", flush=True)
        import fcntl
        lock = open(args.lock, "a")
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the process ends
        print("timing", flush=True)
    results = []
    gen = torch.Generator(device="cuda").manual_seed(0)
    for dname in args.dtypes:
        tdt = getattr(torch, dname)
        n = int(args.gib * 2**30) // torch.tensor([], dtype=tdt).element_size()
        nbytes = n * torch.tensor([], dtype=tdt).element_size()
        x = (torch.randn(n, device="cuda", generator=gen, dtype=torch.float32) * 4).to(tdt)
        g = torch.randn(n, device="cuda", generator=gen, dtype=torch.float32).to(tdt)
        y = torch.empty_like(x)
        copy_ms = timed(torch, lambda: y.copy_(x), args.warmup, args.reps, args.inner)
        copy_gbs = 2 * nbytes / copy_ms / 1e6
        print(f"\n{dname}: device-to-device copy {copy_gbs:.0f} GB/s (= 100 %)")
        print(f"{'row':22s} {'relukit GB/s':>13s} {'%copy':>6s} {'torch GB/s':>11s} {'%copy':>6s}"
              f" {'cupy GB/s':>10s}")
        xs_cp = cupy.asarray(x) if cupy is not None and dname != "bfloat16" else None
        for row in rows:
            if row in GATED_ROWS:
                continue
            nin = ROWS[row][0]
            name = ufunc_name(row)
            params = list(SAMPLE_PARAMS.get(name, ()))
            moved = (3 if nin == 2 else 2) * nbytes
            inp = y if row.endswith("_bwd_y") else x
            if row.endswith("_bwd_y"):  # backward from the output: feed it a forward output
                fwd = row[:-6]
                y.copy_(tp[fwd](g, x, None) if tp.get(fwd) else x)

            def ours():
                ops = [_arrays.operand(name, "g", g)] if nin == 2 else []
                ops.append(_arrays.operand(name, "x", inp))
                return _arrays.run(name, row, tuple(ops), None,
                                   [ops[-1].dtype.type(p) for p in params], None)
            try:
                ms = timed(torch, ours, args.warmup, args.reps, args.inner)
                rk = moved / ms / 1e6
            except TypeError:  # bfloat16
                rk = None
            tf = tp.get(row)
            t_gbs = None
            if tf is not None:
                try:
                    t_gbs = moved / timed(torch, lambda: tf(g, inp, inp), args.warmup, args.reps, args.inner) / 1e6
                except Exception as exc:  # noqa: BLE001 - an op torch lacks for this dtype
                    print(f"  torch {row}: {type(exc).__name__}: {exc}")
            c_gbs = None
            if row in cp and xs_cp is not None:
                c_gbs = moved / timed(torch, lambda: cp[row](None, xs_cp, None), args.warmup, args.reps, args.inner) / 1e6

            def f(v):
                return f"{v:13.0f} {100 * v / copy_gbs:5.1f}%" if v else f"{'n/a':>13s} {'':6s}"
            print(f"{row:22s} {f(rk)} {f(t_gbs)[2:]} {(f'{c_gbs:10.0f}' if c_gbs else f'{chr(45):>10s}')}")
            results.append({"row": row, "dtype": dname, "relukit_gbs": rk, "torch_gbs": t_gbs,
                            "cupy_gbs": c_gbs, "copy_gbs": copy_gbs})
        x = g = y = xs_cp = None  # free this dtype's arrays before the next
        torch.cuda.empty_cache()
        gated = [r for r in rows if r in GATED_ROWS]
        if gated:
            results += gated_bandwidth(torch, _arrays, tgp, gated, dname, n, gen, copy_gbs, args)
            torch.cuda.empty_cache()
    host = host_overhead(torch, cupy) if not args.no_host else None
    ok = [r for r in results if r["relukit_gbs"]]
    if ok:
        worst = min(ok, key=lambda r: r["relukit_gbs"] / r["copy_gbs"])
        print(f"\nslowest relukit row: {worst['row']} {worst['dtype']} at "
              f"{100 * worst['relukit_gbs'] / worst['copy_gbs']:.1f}% of the copy (target >= 97%)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"device": dev, "gib": args.gib, "results": results, "host_us": host}, fh,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
