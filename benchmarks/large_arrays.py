"""Memory-bound timings on arrays larger than the caches (default 128 Mi
float32 elements, 512 MB): every op with out= against relukit's own in-place
relu, and relu with out= against torch.clamp_min(x, 0, out=buf), all in one
run, medians of interleaved repeats, with all threads.

    python benchmarks/large_arrays.py [--size N] [--repeats R] [--threads T]

Needs about 4 arrays of the size in memory (2 GB at the default size)."""
import argparse

import numpy as np

import relukit
from relukit import _peers
from relukit._selfcheck import WARM_S, median_times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1 << 27)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--ops", nargs="+", default=None)
    args = ap.parse_args()
    if args.threads:
        relukit.set_num_threads(args.threads)
    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    n = args.size
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n, dtype=np.float32) * 3
    g = rng.standard_normal(n, dtype=np.float32)
    buf = np.zeros_like(x)
    inplace = np.abs(x)  # in place, relu leaves it unchanged: every call costs the same
    print(f"float32, {n} elements ({x.nbytes >> 20} MiB per array), relukit "
          f"{relukit.get_num_threads()} threads"
          + (f", torch {torch.__version__} {torch.get_num_threads()} threads" if torch else ""))
    base = [lambda: relukit.relu(inplace, out=inplace)]
    if torch is not None:
        tx, tb = torch.from_numpy(x), torch.from_numpy(buf)
        t_rel = median_times([lambda: relukit.relu(x, out=buf), lambda: torch.clamp_min(tx, 0, out=tb),
                              lambda: torch.relu_(torch.from_numpy(inplace)), base[0],
                              lambda: np.copyto(buf, x)], repeats=args.repeats, warm=WARM_S)
        print(f"relu out=: relukit {t_rel[0] * 1e3:.1f} ms, torch.clamp_min(out=) {t_rel[1] * 1e3:.1f} ms "
              f"-> relukit/torch {t_rel[0] / t_rel[1]:.2f}; torch.relu_ in place {t_rel[2] * 1e3:.1f} ms; "
              f"relukit in place {t_rel[3] * 1e3:.1f} ms; np.copyto {t_rel[4] * 1e3:.1f} ms")
    print(f"{'op':<22}{'out= ms':>9}{'in-place relu ms':>18}{'ratio':>7}{'limit':>7}")
    names = args.ops or list(_peers.PEERS)
    for name in names:
        uses_g, rk, _, _ = _peers.PEERS[name]
        f = (lambda: rk(x, g, buf)) if uses_g else (lambda: rk(x, buf))
        t_op, t_base = median_times([f, base[0]], repeats=args.repeats, warm=WARM_S)
        limit = 1.25 * (1.5 if uses_g else 1.0)
        print(f"{name:<22}{t_op * 1e3:>9.1f}{t_base * 1e3:>18.1f}{t_op / t_base:>7.2f}{limit:>7.2f}"
              + ("" if t_op / t_base <= limit else "  over"))


if __name__ == "__main__":
    main()
