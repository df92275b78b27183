"""Bandwidth of relukit.cuda against PyTorch, CuPy and a device-to-device copy.

Every kernel row (each op, forward and backward, from_output included) at
1 GiB per array (``--gib``), float32 and float16 (and bfloat16, which
relukit.cuda rejects: shown as n/a next to torch's figure).  Everything runs in
one process on one stream and is timed with CUDA events: ``--reps`` timed
calls after ``--warmup`` untimed ones (the first call also compiles the
kernel), each timing ``--inner`` back-to-back calls; the median per call is
reported.  GB/s counts the bytes read and written
(forward: x and y, 2 n itemsize; backward: g, x and dL/dx, 3 n itemsize), and
every figure is also given as a percentage of the device-to-device copy
measured in the same run (``copy_`` of the same size: 2 n itemsize bytes).

Usage::

    python benchmarks/cuda_bench.py [--gib 1] [--dtypes float32 float16 bfloat16]
                                    [--ops relu gelu ...] [--json results.json]

Needs a GPU, numba-cuda and PyTorch (CuPy optional).
"""
import argparse
import json
import statistics
import sys

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


def host_overhead(torch, n=4096, calls=300):
    """Microseconds per call, as seen by the host, of the public API on a small
    float32 tensor (the GPU work is a few microseconds: this is launch cost),
    relukit.cuda against torch, out= preallocated and allocating."""
    import time

    import relukit.cuda as rc
    x = torch.randn(n, device="cuda")
    g = torch.randn(n, device="cuda")
    o = torch.empty_like(x)
    F = torch.nn.functional
    cases = {
        "relu, out=": (lambda: rc.relu(x, out=o), lambda: torch.clamp_min(x, 0, out=o)),
        "relu": (lambda: rc.relu(x), lambda: F.relu(x)),
        "gelu_backward": (lambda: rc.gelu_backward(g, x),
                          lambda: torch.ops.aten.gelu_backward(g, x)),
        "leaky_relu(0.2)": (lambda: rc.leaky_relu(x, 0.2), lambda: F.leaky_relu(x, 0.2)),
    }
    out = {}
    print(f"\nhost time per call, {n} float32 elements (median of 5 x {calls} calls):")
    print(f"{'call':18s} {'relukit us':>11s} {'torch us':>9s}")
    for name, fns in cases.items():
        res = []
        for fn in fns:
            for _ in range(20):
                fn()
            torch.cuda.synchronize()
            ts = []
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(calls):
                    fn()
                torch.cuda.synchronize()
                ts.append((time.perf_counter() - t0) / calls * 1e6)
            res.append(statistics.median(ts))
        out[name] = res
        print(f"{name:18s} {res[0]:11.1f} {res[1]:9.1f}")
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
    from relukit.cuda._table import ROWS, ufunc_name

    dev = torch.cuda.get_device_name()
    print(f"device: {dev}; torch {torch.__version__}; cupy "
          f"{cupy.__version__ if cupy else 'absent'}; arrays of {args.gib:g} GiB; "
          f"median of {args.reps} (CUDA events)")
    tp = torch_peers(torch)
    cp = cupy_peers(cupy) if cupy is not None else {}
    rows = [r for r in ROWS if not args.ops or r in args.ops or ufunc_name(r) in args.ops]
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
                                   [np.dtype(str(x.dtype).split(".")[-1]).type(p) for p in params],
                                   None)
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
    host = host_overhead(torch)
    ok = [r for r in results if r["relukit_gbs"]]
    if ok:
        worst = min(ok, key=lambda r: r["relukit_gbs"] / r["copy_gbs"])
        print(f"\nslowest relukit row: {worst['row']} {worst['dtype']} at "
              f"{100 * worst['relukit_gbs'] / worst['copy_gbs']:.1f}% of the copy (target >= 95%)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"device": dev, "gib": args.gib, "results": results, "host_us": host}, fh,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
