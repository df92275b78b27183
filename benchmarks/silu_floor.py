"""How fast can a float32 silu be on this CPU, whatever its accuracy?

Compiles benchmarks/floor/silu_floor.c (AVX2 + FMA: an exp polynomial and one
division per vector, no special cases, no compensation: about 5 ULP) with the
C compiler, then times it on one thread against relukit.silu and PyTorch's
silu (one thread each), 1 Mi float32 elements with out=, interleaved, medians;
and prints the floor kernel's largest error against relukit's reference.

    python benchmarks/silu_floor.py [--n 1048576] [--repeats 41]

Needs cc (gcc or clang) and an x86-64 CPU with AVX2 and FMA; torch optional.
"""
import argparse
import ctypes
import os
import subprocess
import sys
import tempfile

import numpy as np

import relukit
from relukit._reference import reference, ulp_error
from relukit._selfcheck import WARM_S, median_times

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1 << 20)
    ap.add_argument("--repeats", type=int, default=41)
    args = ap.parse_args(argv)
    tmp = tempfile.mkdtemp()
    lib = os.path.join(tmp, "libsilu_floor.so")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-O3", "-mavx2", "-mfma", "-shared", "-fPIC", "-o", lib,
                    os.path.join(HERE, "floor", "silu_floor.c")], check=True)
    L = ctypes.CDLL(lib)
    L.silu_floor.argtypes = [ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p]
    n = args.n - args.n % 8
    x = (np.random.default_rng(0).standard_normal(n) * 4).astype(np.float32)
    y = np.empty_like(x)
    relukit.set_num_threads(1)
    fns = [lambda: L.silu_floor(n, x.ctypes.data, y.ctypes.data), lambda: relukit.silu(x, out=y)]
    names = ["floor kernel", "relukit.silu"]
    try:
        import torch
        torch.set_num_threads(1)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        fns.append(lambda: torch.ops.aten.silu.out(tx, out=ty))
        names.append(f"torch {torch.__version__} silu")
    except ImportError:
        pass
    ts = median_times(fns, repeats=args.repeats, warm=WARM_S)
    print(f"float32 silu, {n} elements, out=, one thread, median of {args.repeats} (microseconds):")
    for name, t in zip(names, ts):
        extra = f"   {t / ts[2]:.2f}x torch's time" if len(ts) > 2 else ""
        print(f"  {name:<22}{t * 1e6:10.1f}{extra}")
    L.silu_floor(n, x.ctypes.data, y.ctypes.data)
    err = ulp_error(y, reference("silu", x, dtype=np.float32), np.float32)
    print(f"floor kernel's largest error on these inputs: {err.max():.2f} ULP (relukit's bound: 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
