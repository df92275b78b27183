"""relukit.cuda against the CPU ufuncs: every row, direction and dtype.

Run by tests/test_cuda.py under Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1,
small arrays, its own process), and on a GPU machine as is:

    python tests/cuda_check.py            # small arrays (simulator-sized)
    python tests/cuda_check.py --n 1000000  # on a GPU: a million random inputs per case

For each kernel row and dtype (float16, float32, float64) and both memory paths
(16-byte aligned operands: vector kernel; operands offset by one element: scalar
kernel): special values (NaN, +-inf, +-0, kinks, subnormals, tails) and random
inputs go through relukit.cuda and through the CPU ufunc.  Piecewise rows must
give the CPU's bits (NaN for NaN); the other rows must be within the published
ULP bound (relukit._reference.ULP_BOUNDS) of the independent scalar reference,
as on the CPU.  Then: the limits that carry a sign (-0.0), out= and in place,
the API wrappers (prelu, rrelu, from_output), and the errors.  Prints one line
per failure and a summary; exits 1 on any failure.
"""
import argparse
import sys
import time
import warnings

import numpy as np

import relukit
import relukit.cuda as rc
from relukit._reference import SAMPLE_PARAMS, ULP_BOUNDS, forward_of, is_backward, reference, ulp_error
from relukit._ufuncs import UFUNCS
from relukit.cuda._table import ROWS, ufunc_name

FAILS = []
CHECKS = [0]


def fail(msg):
    FAILS.append(msg)
    print("FAIL", msg, flush=True)


def check(cond, msg):
    CHECKS[0] += 1
    if not cond:
        fail(msg)


# ---------------------------------------------------------------- inputs
def specials(dtype):
    fi = np.finfo(dtype)
    v = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.25, -3.0, 3.0, 6.0, -0.5, 0.5,
         2.9, -2.9, 5.99, 6.01, -0.01, 0.01, 20.0, 20.5, 19.5, -20.0, 11.0, -11.0, 15.5, 25.0,
         -0.75, -1.19, float(fi.tiny), -float(fi.tiny), float(fi.smallest_subnormal),
         -float(fi.smallest_subnormal), float(fi.max), -float(fi.max), 1e-3, -1e-3, 4.0, -4.0,
         -8.0, -9.5, -13.0, -17.0, -30.0, -60.0, -90.0, -104.0, 88.0, 700.0, -700.0]
    if dtype == np.float64:
        v += [-36.5, -37.2, -37.9, -38.4, -26.0, -21.0, -21.1, -21.2, -21.3, -21.8, -22.5, -600.5, -705.0, -712.0,
              -740.0, -745.0, 710.0, 1e200, -1e200, 1e12, -1e12]
    with np.errstate(all="ignore"):
        return np.array(v, dtype=np.float64).astype(dtype)


def inputs(dtype, n, rng):
    with np.errstate(all="ignore"):
        r = np.concatenate([rng.uniform(-8, 8, n // 2), rng.uniform(-40, 40, n - n // 2)])
        return np.concatenate([specials(dtype), r.astype(dtype)])


def params_for(name, dtype):
    """Parameter sets for a ufunc: the standard sample plus edge cases."""
    base = SAMPLE_PARAMS.get(name, ())
    sets = [base]
    if name.startswith("leaky_relu"):
        sets += [(0.0,), (-0.5,) if not name.endswith("backward") else (1.5,)]
    if name in ("elu", "elu_backward", "celu", "celu_backward"):
        sets += [(0.5,)]
    if name in ("softplus", "softplus_backward"):
        sets += [(2.0, 10.0), (-1.5, 20.0)]
    if name == "hardtanh":
        sets += [(-6.0, 0.0)]
    return [tuple(np.dtype(dtype).type(p) for p in s) for s in sets]


# ---------------------------------------------------------------- the comparison
def to_gpu(a, cuda, offset):
    """A device copy of a; offset=1: starting one element into a larger buffer
    (not 16-byte aligned: the scalar kernel)."""
    if not offset:
        return cuda.to_device(a)
    buf = cuda.to_device(np.concatenate([a[:1], a]))
    return buf[1:]


def compare(name, dtype, got, cpu, ref, g, x):
    """Bit-equality with the CPU for piecewise rows, the ULP bound otherwise."""
    row = next(r for r in ROWS if ufunc_name(r) == name)
    piece = ROWS[row][2] == "piece"
    nan_g, nan_c = np.isnan(got), np.isnan(cpu)
    bad = nan_g != nan_c
    if piece:
        u = {2: np.uint16, 4: np.uint32, 8: np.uint64}[np.dtype(dtype).itemsize]
        bad |= ~nan_c & (got.view(u) != cpu.view(u))
        return bad, None
    bound = ULP_BOUNDS[name][np.dtype(dtype).name]
    err = ulp_error(got, ref, dtype, g=g, op=name if g is not None else None, x=x)
    return bad | (err > bound), float(np.max(err, initial=0.0))


def run_rows(cuda, n, rng, report, shard=(0, 1), dtypes=("float16", "float32", "float64")):
    dts = [np.dtype(d).type for d in dtypes]
    for i, (row, (nin, npar, cls, _)) in enumerate(ROWS.items()):
        if i % shard[1] != shard[0]:
            continue
        name = ufunc_name(row)
        uf = UFUNCS[name]
        for dtype in dts:
            x = inputs(dtype, n, rng)
            fwd = forward_of(name)
            worst = 0.0
            for ps in params_for(name, dtype):
                xx = x
                if fwd is not None:  # from-output rows take the forward's outputs
                    fps = ps if UFUNCS[fwd].nin > 1 else ()
                    with np.errstate(all="ignore"):
                        xx = UFUNCS[fwd](x, *fps)
                if is_backward(name):
                    g = rng.standard_normal(xx.size).astype(dtype)
                    # infinite, NaN and zero gradients, where x is random in [-8, 8]
                    s = specials(dtype).size
                    g[s:s + 8] = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 2.0], dtype)
                    ops = (g, xx)
                else:
                    g = None
                    ops = (xx,)
                with np.errstate(all="ignore"):
                    cpu = uf(*ops, *ps)
                    ref = reference(name, *ops, *ps, dtype=dtype)
                for offset in (0, 1):
                    devs = [to_gpu(a, cuda, offset) for a in ops]
                    k = rc._A()
                    xo = k.operand(name, "x", devs[-1])
                    gx = tuple(k.operand(name, "a", d) for d in devs)
                    o = k.run(name, row, gx if nin == 2 else (xo,), None, list(ps), None)
                    got = o.copy_to_host()
                    bad, err = compare(name, dtype, got, cpu, ref, g, xx)
                    if err is not None:
                        worst = max(worst, err)
                    CHECKS[0] += 1
                    if bad.any():
                        i = np.flatnonzero(bad)[:4]
                        fail(f"{name} {np.dtype(dtype).name} params={tuple(float(p) for p in ps)} "
                             f"{'aligned' if not offset else 'offset'}: {bad.sum()} of {xx.size} "
                             f"differ; x={xx[i].tolist()} g={None if g is None else g[i].tolist()} "
                             f"gpu={got[i].tolist()} cpu={cpu[i].tolist()}")
            if is_backward(name):  # infinite gradients at every special x: as the CPU
                xs = specials(dtype)
                ps = params_for(name, dtype)[0]
                if fwd is not None:
                    with np.errstate(all="ignore"):
                        xs = UFUNCS[fwd](xs, *(ps if UFUNCS[fwd].nin > 1 else ()))
                for ginf in (np.inf, -np.inf):
                    g = np.full(xs.size, ginf, dtype)
                    with np.errstate(all="ignore"):
                        cpu = uf(g, xs, *ps)
                    o = rc._A().run(name, row, (rc._A().operand(name, "g", cuda.to_device(g)),
                                                rc._A().operand(name, "x", cuda.to_device(xs))),
                                    None, list(ps), None)
                    got = o.copy_to_host()
                    CHECKS[0] += 1
                    bad = (np.isnan(got) != np.isnan(cpu)) | (np.isinf(cpu) & (got != cpu))
                    if bad.any():
                        i = np.flatnonzero(bad)[:4]
                        fail(f"{name} {np.dtype(dtype).name} g={ginf}: {bad.sum()} differ; "
                             f"x={xs[i].tolist()} gpu={got[i].tolist()} cpu={cpu[i].tolist()}")
            report.append((name, np.dtype(dtype).name, cls, worst))


# ---------------------------------------------------------------- lengths
def run_lengths(cuda, rng):
    """Lengths around the kernels' tile size (THREADS * unroll * lanes elements),
    both memory paths, against the CPU: whole tiles, the vectors after them,
    the element tail, and (on a GPU) more tiles than the grid has blocks."""
    from relukit.cuda import _kernels as K
    for row in ("relu", "silu_bwd"):
        name = ufunc_name(row)
        uf = UFUNCS[name]
        for dtype in (np.float16, np.float32, np.float64):
            N = K.lanes(dtype)
            L = K.THREADS * K.unroll(row) * N  # a tile of the vector kernel
            sizes = [0, 1, N - 1, N + 1, L - 1, L, L + N + 1, 3 * L + 2 * N + 3, 5 * K.THREADS * N + 3]
            if not K.SIM and row == "relu" and dtype == np.float32:
                sizes.append((K.sm_count() * K.BLOCKS_PER_SM + 3) * L + 5)
            for size in sizes:
                ops = [rng.uniform(-8, 8, size).astype(dtype) for _ in range(ROWS[row][0])]
                with np.errstate(all="ignore"):
                    cpu = uf(*ops)
                for offset in ((0, 1) if size else (0,)):
                    devs = [to_gpu(a, cuda, offset) for a in ops]
                    k = rc._A()
                    got = k.run(name, row, tuple(k.operand(name, "a", d) for d in devs), None, [],
                                None).copy_to_host()
                    # a few ULP of the result, or of g (a backward near its zero)
                    scale = np.abs(cpu.astype(np.float64)) + (np.abs(ops[0]) if len(ops) == 2 else 0)
                    ok = got.shape == cpu.shape and bool(np.all(
                        np.abs(got.astype(np.float64) - cpu) <= 4 * np.finfo(dtype).eps * scale))
                    check(ok,
                          f"{name} {np.dtype(dtype).name} length {size} "
                          f"{'aligned' if not offset else 'offset'}")


# ---------------------------------------------------------------- the API
def run_api(cuda, rng):
    x32 = np.array([-2.0, -0.0, 0.0, 1.5, np.nan, np.inf, -np.inf, 3.0, -1.0], np.float32)
    d = cuda.to_device(x32)
    # limits that carry a sign
    for op in ("gelu", "silu", "mish", "hardswish"):
        y = getattr(rc, op)(cuda.to_device(np.array([-np.inf, -np.inf], np.float32))).copy_to_host()
        check(np.all(y == 0) and np.all(np.signbit(y)), f"{op}(-inf) must be -0.0, got {y}")
    y = rc.gelu(cuda.to_device(np.array([np.inf], np.float64))).copy_to_host()
    check(y[0] == np.inf, "gelu(inf) must be inf")
    y = rc.relu(cuda.to_device(np.array([-0.0], np.float32))).copy_to_host()
    check(np.signbit(y[0]) and y[0] == 0, "relu(-0.0) must be -0.0")
    # kinks
    k = cuda.to_device(np.array([0.0, 6.0, 3.0], np.float32))
    ones = cuda.to_device(np.ones(3, np.float32))
    check(rc.relu_backward(ones, k).copy_to_host()[0] == 0, "relu'(0) must be 0")
    check(np.all(rc.relu6_backward(ones, k).copy_to_host()[:2] == 0), "relu6'(0), relu6'(6) must be 0")
    check(rc.leaky_relu_backward(ones, k, 0.2).copy_to_host()[0] == np.float32(0.2), "leaky'(0) must be the slope")
    check(rc.hardswish_backward(ones, k).copy_to_host()[2] == 1, "hardswish'(3) must be 1")
    check(rc.elu_backward(ones, k, 0.5).copy_to_host()[0] == np.float32(0.5), "elu'(0) from the negative branch")
    # out= and in place
    buf = cuda.to_device(x32)
    r = rc.relu(buf, out=buf)
    check(r is buf, "out=x must return out")
    check(np.array_equal(buf.copy_to_host(), relukit.relu(x32), equal_nan=True), "relu in place")
    o = cuda.device_array(x32.shape, np.float32)
    rc.elu(d, 0.5, out=o)
    check(np.allclose(o.copy_to_host(), relukit.elu(x32, 0.5), equal_nan=True), "elu out=")
    s = cuda.stream()
    y = rc.silu(d, stream=s)
    s.synchronize()
    check(np.allclose(y.copy_to_host(), relukit.silu(x32), equal_nan=True), "silu with stream=")
    e = rc.relu(cuda.to_device(np.zeros(0, np.float32)))
    check(e.shape == (0,), "empty input gives an empty result")
    # a 2-D input keeps its shape
    x2 = rng.standard_normal((3, 5)).astype(np.float32)
    y2 = rc.gelu(cuda.to_device(x2), approximate="tanh").copy_to_host()
    check(y2.shape == (3, 5) and np.allclose(y2, relukit.gelu(x2, approximate="tanh"), rtol=1e-6),
          "gelu tanh on a 2-D array")
    # prelu and its gradients against the CPU
    xp = rng.standard_normal((2, 3, 4)).astype(np.float32)
    gp = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w = np.array([0.1, -0.2, 0.3], np.float32)
    yp = rc.prelu(cuda.to_device(xp), w).copy_to_host()
    check(np.array_equal(yp, relukit.prelu(xp, w)), "prelu per channel (bits)")
    yp = rc.prelu(cuda.to_device(xp), 0.25).copy_to_host()
    check(np.array_equal(yp, relukit.prelu(xp, 0.25)), "prelu scalar weight (bits)")
    yl = rc.prelu(cuda.to_device(xp), np.array([0.5, 1.5, 2.5, 3.5], np.float32), axis=-1).copy_to_host()
    check(np.array_equal(yl, relukit.prelu(xp, np.array([0.5, 1.5, 2.5, 3.5], np.float32), axis=-1)),
          "prelu on the last axis")
    gx, gw = rc.prelu_backward(cuda.to_device(gp), cuda.to_device(xp), w)
    cgx, cgw = relukit.prelu_backward(gp, xp, w)
    check(np.array_equal(gx.copy_to_host(), cgx), "prelu_backward grad_x (bits)")
    check(np.allclose(gw.copy_to_host(), cgw, rtol=1e-5, atol=1e-6), "prelu_backward grad_weight")
    # rrelu: the same generator gives the same noise as the CPU
    yr, nr = rc.rrelu(cuda.to_device(xp), training=True, rng=7)
    cyr, cnr = relukit.rrelu(xp, training=True, rng=7)
    check(np.array_equal(nr.copy_to_host(), cnr), "rrelu noise equals the CPU's for the same seed")
    check(np.array_equal(yr.copy_to_host(), cyr), "rrelu training (bits)")
    check(np.array_equal(rc.rrelu(cuda.to_device(xp)).copy_to_host(), relukit.rrelu(xp)), "rrelu eval")
    gr = rc.rrelu_backward(cuda.to_device(gp), cuda.to_device(xp), nr).copy_to_host()
    check(np.array_equal(gr, relukit.rrelu_backward(gp, xp, cnr)), "rrelu_backward (bits)")
    # from_output
    ys = relukit.selu(x32)
    got = rc.selu_backward(ones_like(cuda, ys), cuda.to_device(ys), from_output=True).copy_to_host()
    check(np.allclose(got, relukit.selu_backward(np.ones_like(ys), ys, from_output=True), equal_nan=True),
          "selu_backward from_output")
    # errors, each naming the op
    def raises(exc, fn, *a, **kw):
        try:
            fn(*a, **kw)
        except exc as e:
            return str(e)
        except Exception as e:  # noqa: BLE001
            fail(f"{fn.__name__}: expected {exc.__name__}, got {type(e).__name__}: {e}")
            return ""
        fail(f"{fn.__name__}: expected {exc.__name__}, nothing raised")
        return ""
    m = raises(TypeError, rc.relu, x32)
    check("relu" in m and "NumPy array" in m, f"NumPy input error names the op: {m!r}")
    m = raises(TypeError, rc.elu, cuda.to_device(np.arange(4)))
    check("elu" in m and "float16" in m, f"integer input error: {m!r}")
    m = raises(ValueError, rc.silu, cuda.to_device(np.zeros((4, 4), np.float32))[:, ::2])
    check("silu" in m and "contiguous" in m, f"non-contiguous input error: {m!r}")
    raises(ValueError, rc.hardtanh, d, 1.0, -1.0)
    raises(ValueError, rc.elu, d, np.nan)
    raises(ValueError, rc.celu, d, 0.0)
    raises(ValueError, rc.softplus, d, 0.0)
    raises(ValueError, rc.gelu, d, "fast")
    raises(ValueError, rc.gelu_backward, d, d, from_output=True)
    raises(ValueError, rc.silu_backward, d, d, from_output=True)
    raises(ValueError, rc.leaky_relu_backward, d, d, -0.5, from_output=True)
    raises(ValueError, rc.elu_backward, d, d, -0.5, from_output=True)
    raises(ValueError, rc.threshold_backward, d, d, 0.5, from_output=True)
    raises(ValueError, rc.threshold_backward, d, d, 0.5, value=1.0, from_output=True)
    raises(ValueError, rc.rrelu, d, 0.5, 0.1)
    raises(ValueError, rc.prelu, cuda.to_device(xp), np.ones(5, np.float32))
    raises(ValueError, rc.relu_backward, cuda.to_device(np.ones(3, np.float32)), d)
    raises(TypeError, rc.relu_backward, cuda.to_device(np.ones(9, np.float64)), d)
    raises(ValueError, rc.relu, d, out=cuda.device_array(4, np.float32))
    # nothing is written when a parameter is rejected
    o = cuda.to_device(np.full(x32.shape, 7.0, np.float32))
    raises(ValueError, rc.hardtanh, d, 2.0, 1.0, out=o)
    check(np.all(o.copy_to_host() == 7), "a rejected call writes nothing to out")


def ones_like(cuda, a):
    return cuda.to_device(np.ones_like(a))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=24, help="random inputs per case (besides the specials)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtypes", nargs="+", default=["float16", "float32", "float64"])
    ap.add_argument("--shard", default="0/1", metavar="I/K",
                    help="check only rows I, I+K, I+2K, ... (the API checks run in shard 0), "
                         "so that K processes can share the work")
    args = ap.parse_args(argv)
    shard = tuple(int(v) for v in args.shard.split("/"))
    if len(shard) != 2 or not 0 <= shard[0] < shard[1]:
        ap.error(f"--shard wants I/K with 0 <= I < K, got {args.shard!r}")
    warnings.simplefilter("ignore")
    from numba import cuda
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    report = []
    run_rows(cuda, args.n, rng, report, shard, args.dtypes)
    if shard[0] == 0:
        run_api(cuda, rng)
        run_lengths(cuda, rng)
    print(f"{'op':34s} {'dtype':8s} class  max ULP (GPU vs reference)")
    for name, dt, cls, worst in report:
        print(f"{name:34s} {dt:8s} {cls:6s} {'bits = CPU' if cls == 'piece' else f'{worst:.3f}'}")
    from numba import config
    sim = "simulator" if config.ENABLE_CUDASIM else "GPU"
    from relukit.cuda import _kernels as K
    if not K.SIM:  # every launch above went through the direct path, or says why not
        check(K.FAST_LAUNCH["enabled"], f"direct kernel launch unavailable: {K.FAST_LAUNCH['reason']}")
        print(f"direct kernel launch: {K.FAST_LAUNCH}")
    part = f" (shard {shard[0]}/{shard[1]})" if shard[1] > 1 else ""
    print(f"{CHECKS[0]} checks, {len(FAILS)} failed, {time.time() - t0:.1f} s ({sim}){part}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
