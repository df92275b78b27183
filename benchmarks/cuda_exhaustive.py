"""Every input: relukit.cuda against relukit's CPU kernels, float32 over all 2^32
bit patterns, float16 and bfloat16 over all 2^16.

For each kernel row (every op, forward and backward, from-output rows included)
and dtype, x runs over every bit pattern (float32 in chunks of 2^--chunk-bits),
g (backward rows) is a fixed normal random vector of the chunk's length, and the
parameters are the row's sample parameters (relukit._reference.SAMPLE_PARAMS);
from-output rows take the CPU forward's output of x.

The gated family (glu, reglu, geglu, geglu_tanh, swiglu and their backward, named
by their ufunc names: relukit._ufuncs.GATED_UFUNCS) likewise: the activated
operand (a; glu: its gate b, relukit._reference.gated_activated) runs over every
bit pattern as x does, the other operand is a fixed normal random vector of the
chunk's length (drawn from its own generator, so g is the same with or without
gated rows), and the backward's g is the g above.  They are launched through
relukit.cuda's two-operand path (relukit.cuda._arrays.run_gated, as
relukit.cuda.swiglu(a, b) does; glu's public function has only the split form,
whose contiguous halves run the same kernels).  Each output is a line of its
own: the forward's y as the op ("swiglu"), the backward's two gradients as
"swiglu_backward[grad_a]" and "swiglu_backward[grad_b]".

The GPU result and the CPU ufunc's result on the same inputs are compared on
the GPU:

- identical: bit-identical results (a NaN matches any NaN);
- NaN: results NaN on one side only (must be 0);
- max ULP: the largest distance in units of the dtype's last place, counted
  along the ordered bit patterns (so 0 and -0 are 0 apart), with an x where it
  occurs.

Exit status 1 if any NaN differs, or a piecewise row (exact on both sides:
relu ... and, of the gated family, reglu and reglu_backward, each of its
outputs) is not bit-identical everywhere, in any dtype, or a row computed by
its float32 body (relukit.cuda._f32, which mirrors the CPU's float32 kernel)
differs from the CPU by more than one ULP anywhere.  (Such a body's only
departures from the CPU's bits are the lanes both compute in float64, with
libdevice's functions against the C library's: results within about 2^-20 ULP
of a rounding boundary; the identical count says how many.)

Usage::

    python benchmarks/cuda_exhaustive.py [--dtypes float32 float16 bfloat16]
        [--rows relu gelu_bwd swiglu geglu_backward ...] [--bits 32] [--bits16 16]
        [--chunk-bits 26] [--shard I/K] [--threads N] [--json FILE]

``--rows`` takes kernel rows (relu_bwd) or ufunc names (relu_backward), gated
ops included (swiglu_backward or swiglu_bwd); default: every one-operand row
and every gated op.  ``--shard I/K`` takes every K-th of them, from the I-th
(the one-operand rows first, then the gated ops).

``--bits B`` takes every 2^(32-B)-th float32 pattern (all exponents, fewer
mantissas); ``--bits16`` the same for the 16-bit dtypes.  On a GPU the arrays
are torch tensors; under Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1, for
the test suite, with tiny --bits) Numba device arrays.  Stopped early (SIGINT,
e.g. ``timeout -s INT``), it prints what it covered.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

_BITS = {"float32": (np.uint32, np.int32, 0x7FFFFFFF, 0x7F800000),
         "float16": (np.uint16, np.int16, 0x7FFF, 0x7C00),
         "bfloat16": (np.uint16, np.int16, 0x7FFF, 0x7F80)}


def _dtype(name):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def patterns(dname, bits, start, count):
    """Bit patterns start..start+count-1 of the 2^bits spread evenly over the dtype's."""
    width = 32 if dname == "float32" else 16
    u, _, _, _ = _BITS[dname]
    step = 1 << (width - bits)
    idx = np.arange(start, start + count, dtype=np.uint64)
    return (idx * step if step > 1 else idx).astype(u)


class Stats:
    """Running comparison of one (row, dtype)."""

    def __init__(self):
        self.n = self.identical = self.nan = 0
        self.max_ulp = 0
        self.worst_x = None
        self.seconds = 0.0

    def add(self, n, identical, nan, max_ulp, worst_x):
        self.n += n
        self.identical += identical
        self.nan += nan
        if max_ulp > self.max_ulp:
            self.max_ulp, self.worst_x = max_ulp, worst_x


def compare_numpy(got_bits, cpu_bits, x_bits, dname):
    """(identical, nan mismatches, max ULP, an x bit pattern at the max) of two bit arrays."""
    _, s, mag, inf = _BITS[dname]
    a = got_bits.view(s).astype(np.int64)
    b = cpu_bits.view(s).astype(np.int64)
    na = (a & mag) > inf
    nb = (b & mag) > inf
    ident = int(np.count_nonzero((a == b) | (na & nb)))
    nan = int(np.count_nonzero(na != nb))
    ka = np.where(a < 0, -(a & mag), a)
    kb = np.where(b < 0, -(b & mag), b)
    d = np.where(na | nb, 0, np.abs(ka - kb))
    i = int(np.argmax(d)) if d.size else 0
    return ident, nan, int(d[i]) if d.size else 0, int(x_bits[i]) if d.size else None


def compare_torch(torch, got, cpu_dev, x_bits, dname):
    """As compare_numpy, on the GPU (got, cpu_dev: torch tensors of the same dtype)."""
    _, s, mag, inf = _BITS[dname]
    it = torch.int32 if s == np.int32 else torch.int16
    a = got.view(it).to(torch.int64)
    b = cpu_dev.view(it).to(torch.int64)
    na = (a & mag) > inf
    nb = (b & mag) > inf
    ident = int(((a == b) | (na & nb)).sum())
    nan = int((na != nb).sum())
    ka = torch.where(a < 0, -(a & mag), a)
    kb = torch.where(b < 0, -(b & mag), b)
    d = torch.where(na | nb, torch.zeros_like(a), (ka - kb).abs())
    if d.numel() == 0:
        return ident, nan, 0, None
    m, i = torch.max(d, 0)
    return ident, nan, int(m), int(x_bits[int(i)])


class Device:
    """Moving host arrays to the GPU and back: torch on a GPU, Numba in the simulator."""

    def __init__(self):
        from relukit.cuda import _kernels
        self.sim = _kernels.SIM
        self.torch = None
        if not self.sim:
            import torch
            self.torch = torch

    def put(self, a):
        if self.torch is None:
            from numba import cuda
            return cuda.to_device(a)
        t = self.torch
        if a.dtype.name == "bfloat16":
            return t.from_numpy(a.view(np.int16)).cuda().view(t.bfloat16)
        return t.from_numpy(a).cuda()

    def compare(self, got, cpu, x_bits, dname):
        u = _BITS[dname][0]
        if self.torch is None:
            return compare_numpy(got.copy_to_host().view(u), cpu.view(u), x_bits, dname)
        s = _BITS[dname][1]
        return compare_torch(self.torch, got, self.put(cpu.view(s)), x_bits, dname)


def gated_labels(name):
    """The report's rows of gated ufunc `name`: the op itself (forward), or one per
    gradient (backward)."""
    if name.endswith("_backward"):
        return [f"{name}[grad_a]", f"{name}[grad_b]"]
    return [name]


def run_gated(name, dops):
    """The GPU results (a tuple: y, or grad_a and grad_b) of gated ufunc `name` on
    the device arrays `dops`, (a, b) or (g, a, b), as relukit.cuda's two-operand
    form launches them (relukit.cuda._gated: results of a's kind, on its library's
    current stream); for glu too, whose public function takes the split form only."""
    from relukit.cuda import _arrays
    from relukit.cuda._table import ROW_OF
    ops = tuple(_arrays.operand(name, n, d) for n, d in zip(("g", "a", "b")[-len(dops):], dops))
    a = ops[-2]
    st = _arrays._default_stream(a)
    res = [_arrays.output_shaped(name, a, a.shape, None, st, ref="a")
           for _ in range(2 if len(ops) == 3 else 1)]
    _arrays.run_gated(ROW_OF[name], ops, tuple(o for _, o in res), st)
    return tuple(_arrays._finish(r) for r, _ in res)


def run(dnames, rows, bits, bits16, chunk_bits, out, seed=0, gated=()):
    """Compare one-operand `rows` (kernel rows) and `gated` (gated ufunc names),
    accumulating into `out`: (row or label, dtype) -> Stats."""
    from relukit._reference import SAMPLE_PARAMS, forward_of, gated_activated, is_backward
    from relukit._ufuncs import GATED_UFUNCS, UFUNCS
    from relukit.cuda import _arrays
    from relukit.cuda._table import ROWS, ufunc_name
    dev = Device()
    rng = np.random.default_rng(seed)
    rng_gated = np.random.default_rng([seed, 1])  # (its own: g stays as without gated rows)
    for dname in dnames:
        dtype = _dtype(dname)
        b = bits if dname == "float32" else bits16
        total = 1 << b
        chunk = min(total, 1 << chunk_bits)
        g_host = rng.standard_normal(chunk).astype(np.float32).astype(dtype)
        g_dev = dev.put(g_host)
        if gated:  # the operand not activated
            o_host = rng_gated.standard_normal(chunk).astype(np.float32).astype(dtype)
            o_dev = dev.put(o_host)
        stats = {row: out.setdefault((row, dname), Stats()) for row in rows}
        gstats = {name: [out.setdefault((label, dname), Stats()) for label in gated_labels(name)]
                  for name in gated}
        for start in range(0, total, chunk):
            t0 = time.time()
            xb = patterns(dname, b, start, chunk)
            x = xb.view(dtype)
            x_dev = dev.put(x)
            for row in rows:
                t1 = time.time()
                name = ufunc_name(row)
                uf = UFUNCS[name]
                ps = [dtype.type(p) for p in SAMPLE_PARAMS.get(name, ())]
                xin, xin_dev = x, x_dev
                fwd = forward_of(name)
                with np.errstate(all="ignore"):
                    if fwd is not None:
                        xin = UFUNCS[fwd](x, *(ps if UFUNCS[fwd].nin > 1 else ()))
                        xin_dev = dev.put(xin)
                    ops = (g_host, xin) if is_backward(name) else (xin,)
                    cpu = uf(*ops, *ps)
                dops = (g_dev, xin_dev) if is_backward(name) else (xin_dev,)
                operands = tuple(_arrays.operand(name, "x", d) for d in dops)
                got = _arrays.run(name, row, operands, None, ps, None)
                stats[row].add(chunk, *dev.compare(got, cpu, xb, dname))
                stats[row].seconds += time.time() - t1
            for name in gated:
                t1 = time.time()
                act = gated_activated(name)
                ab, ab_dev = ((o_host, x), (o_dev, x_dev)) if act else ((x, o_host), (x_dev, o_dev))
                bwd = name.endswith("_backward")
                with np.errstate(all="ignore"):
                    cpu = GATED_UFUNCS[name](*((g_host,) + ab if bwd else ab))
                got = run_gated(name, (g_dev,) + ab_dev if bwd else ab_dev)
                outs = gstats[name]
                for st, gv, cv in zip(outs, got, cpu if bwd else (cpu,)):
                    st.add(chunk, *dev.compare(gv, cv, xb, dname))
                dt = (time.time() - t1) / len(outs)  # (one launch for both gradients)
                for st in outs:
                    st.seconds += dt
            print(f"  {dname}: inputs {start + chunk} of {total} in {time.time() - t0:.1f} s",
                  flush=True)


def report(out, rows_class):
    bad = 0
    print(f"{'row':30s} {'dtype':9s} {'inputs':>11s} {'identical':>11s} {'NaN':>5s} "
          f"{'max ULP':>8s}  at x (bits)   s")
    for (row, dname), s in out.items():
        from relukit.cuda import _f32
        f32 = _f32.uses_f32(row, dname)  # a float32 body mirroring the CPU's kernel
        ok = s.nan == 0 and (rows_class[row] != "piece" or s.identical == s.n) and \
            (not f32 or s.max_ulp <= 1)
        bad += not ok
        at = "" if s.worst_x is None or s.max_ulp == 0 else f"0x{s.worst_x:0{8 if dname == 'float32' else 4}x}"
        print(f"{row:30s} {dname:9s} {s.n:11d} {s.identical:11d} {s.nan:5d} {s.max_ulp:8d}  "
              f"{at:12s} {s.seconds:5.1f}{'' if ok else '  FAIL'}")
    return bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dtypes", nargs="+", default=["float32", "float16", "bfloat16"],
                    choices=["float32", "float16", "bfloat16"])
    ap.add_argument("--rows", nargs="*", help="kernel rows or ufunc names, gated ops included "
                    "(swiglu, geglu_backward, ...; default: all)")
    ap.add_argument("--bits", type=int, default=32, help="float32: 2^bits patterns (default all)")
    ap.add_argument("--bits16", type=int, default=16, help="float16/bfloat16: 2^bits16 patterns")
    ap.add_argument("--chunk-bits", type=int, default=26, help="float32 inputs per step: 2^this")
    ap.add_argument("--shard", default="0/1", metavar="I/K", help="rows I, I+K, ... only")
    ap.add_argument("--threads", type=int, help="relukit CPU threads (default: all)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)
    if not (1 <= args.bits <= 32 and 1 <= args.bits16 <= 16 and 1 <= args.chunk_bits <= 32):
        ap.error("--bits in 1..32, --bits16 in 1..16, --chunk-bits in 1..32")
    i, k = (int(v) for v in args.shard.split("/"))
    import relukit
    from relukit.cuda._table import GATED_ROWS, ROWS, ufunc_name
    if args.threads:
        relukit.set_num_threads(args.threads)
    want = set(args.rows or ())
    entries = [r for r in ROWS if not want or r in want or ufunc_name(r) in want]
    # the gated ops, by ufunc name (swiglu_backward; selected by it or by its row, swiglu_bwd)
    entries += [ufunc_name(r) for r in GATED_ROWS
                if not want or r in want or ufunc_name(r) in want]
    if want and not entries:
        ap.error(f"no such rows: {sorted(want)}")
    entries = entries[i::k]
    rows = [e for e in entries if e in ROWS]
    gated = [e for e in entries if e not in ROWS]
    classes = {r: ROWS[r][2] for r in ROWS}  # "piece": must be bit-identical
    for r, (_, _, cls, _) in GATED_ROWS.items():
        classes.update(dict.fromkeys(gated_labels(ufunc_name(r)), cls))
    out = {}
    t0 = time.time()
    done = True
    try:
        run(args.dtypes, rows, args.bits, args.bits16, args.chunk_bits, out, gated=gated)
    except KeyboardInterrupt:
        done = False
        print("stopped: the table covers the inputs done so far", flush=True)
    bad = report(out, classes)
    print(f"{len(out)} (row, dtype) pairs, {bad} failed, {time.time() - t0:.1f} s"
          f"{'' if done else ' (incomplete)'}; pid {os.getpid()}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([{"row": r, "dtype": d, **vars(s)} for (r, d), s in out.items()], fh, indent=1)
    return 1 if bad or not done else 0


if __name__ == "__main__":
    sys.exit(main())
