"""`python -m relukit bench`: relukit against the NumPy expression a user would
write and PyTorch's CPU op (when installed), timed in one run (interleaved,
median of repeats), with ratios.  Absolute times on a shared machine are noisy;
the ratios taken in the same run are the numbers that mean something."""
import os
import platform
import sys

import numpy as np

from relukit import _peers, _ufuncs
from relukit._selfcheck import median_times


def _fmt_t(t):
    return f"{t * 1e6:9.1f}" if t is not None else f"{'-':>9}"


def run(ops=None, sizes=(4096, 1 << 20), dtype="float32", threads=None, repeats=7,
        plot=None, out=print):
    names = list(ops) if ops else list(_peers.PEERS)
    bad = [n for n in names if n not in _peers.PEERS]
    if bad:
        raise ValueError(f"bench: no benchmark for {', '.join(bad)}; choose from {', '.join(_peers.PEERS)}")
    dt = np.dtype(dtype)
    try:
        import torch
        if threads:
            torch.set_num_threads(threads)
        tdesc = f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)"
    except ImportError:
        torch = None
        tdesc = "torch not installed"
    out(f"relukit bench: {dt.name}, out= preallocated; {_ufuncs.TARGET} target; numpy {np.__version__}; "
        f"{tdesc}; {platform.machine()} {os.cpu_count()} CPUs")
    out("times in microseconds (median of interleaved repeats); np/rk and torch/rk: "
        "how many times longer the peer takes (> 1: relukit is faster)")
    out(f"{'op':<21}{'size':>9}{'relukit':>10}{'numpy':>10}{'torch':>10}{'np/rk':>8}{'torch/rk':>9}")
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        x = (rng.standard_normal(n) * 3).astype(dt)
        g = rng.standard_normal(n).astype(dt)
        buf = np.empty_like(x)
        tx = tg = None
        if torch is not None and dt != np.float16 or (torch is not None):
            tx, tg = torch.from_numpy(x), torch.from_numpy(g)
        for name in names:
            uses_g, rk, npf, _ = _peers.PEERS[name]
            fr = (lambda: rk(x, g, buf)) if uses_g else (lambda: rk(x, buf))
            fn = (lambda: npf(x, g)) if uses_g else (lambda: npf(x))
            fns = [fr, fn]
            tc = _peers.torch_call(name, torch, tx, tg) if torch is not None else None
            if tc is not None:
                fns.append(tc)
            inner = max(1, 200_000 // n)
            if name in ("gelu", "gelu_backward") and n > 100_000:
                reps = 3  # the NumPy peer goes through math.erf per element
            else:
                reps = repeats
            ts = median_times(fns, repeats=reps, inner=inner)
            t_rk, t_np = ts[0], ts[1]
            t_t = ts[2] if len(ts) > 2 else None
            rows.append((name, n, t_rk, t_np, t_t))
            out(f"{name:<21}{n:>9}{_fmt_t(t_rk)}{_fmt_t(t_np)}{_fmt_t(t_t)}{t_np / t_rk:>8.1f}"
                + (f"{t_t / t_rk:>9.2f}" if t_t else f"{'-':>9}"))
    if plot:
        _plot(rows, plot, dt, out)
    return rows


def _plot(rows, path, dt, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        out(f"bench: --plot needs matplotlib (pip install matplotlib); no chart written")
        return
    names = sorted({r[0] for r in rows}, key=lambda s: list(_peers.PEERS).index(s))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    for ax, which, label in ((axes[0], 3, "NumPy / relukit"), (axes[1], 4, "PyTorch / relukit")):
        for name in names:
            pts = [(r[1], r[which] / r[2]) for r in rows if r[0] == name and r[which]]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=name)
        ax.axhline(1, color="k", lw=0.8)
        ax.set_xscale("log"); ax.set_yscale("log")
        ax.set_xlabel("elements"); ax.set_ylabel(f"time ratio {label}")
        ax.set_title(f"{label} ({dt.name}, out=)")
    axes[1].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    out(f"chart written to {path}")
