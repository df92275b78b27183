"""`python -m relukit bench`: relukit against the NumPy expression a user would
write and PyTorch's CPU op (when installed), timed in one run (interleaved,
median of repeats), with ratios.  Absolute times on a shared machine are noisy;
the ratios taken in the same run are the numbers that mean something.

Each size also times a plain memory copy (``np.copyto``) of the same array, the
floor for anything that reads and writes every element."""
import os
import platform

import numpy as np

from relukit import _peers, _threads, _ufuncs
from relukit._selfcheck import WARM_S, median_times


def _fmt_t(t):
    return f"{t * 1e6:10.1f}" if t is not None else f"{'-':>10}"


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(ops=None, sizes=(4096, 1 << 20), dtype="float32", threads=None, repeats=7,
        plot=None, out=print, numpy=True):
    """Time every op (or `ops`) at every size; print the table, return its rows.

    Parameters
    ----------
    ops : sequence of str, optional
        Names from ``relukit._peers.PEERS`` (default: all).
    sizes : sequence of int
        Array lengths.
    dtype : {'float16', 'float32', 'float64'}
    threads : int, optional
        Threads for relukit and for PyTorch (default: relukit's current limit,
        and PyTorch's default).
    repeats : int
        Interleaved timed repeats per op (the median is reported).
    plot : str, optional
        Write a chart to this file (needs matplotlib).
    out : callable
        Where lines go.
    numpy : bool
        Time the NumPy expressions (slow on large arrays: several passes, and
        math.erf per element for GELU).

    Returns
    -------
    list of tuple
        ``(op, size, t_relukit, t_numpy or None, t_torch or None, t_copy)`` in seconds.
    """
    names = list(ops) if ops else list(_peers.PEERS)
    bad = [n for n in names if n not in _peers.PEERS]
    if bad:
        raise ValueError(f"bench: no benchmark for {', '.join(bad)}; choose from {', '.join(_peers.PEERS)}")
    if any(int(n) < 1 for n in sizes):
        raise ValueError("bench: sizes must be positive")
    dt = np.dtype(dtype)
    if threads is not None:
        _threads.set_num_threads(threads)
    try:
        import torch
        if threads:
            torch.set_num_threads(threads)
        tdesc = f"torch {torch.__version__} with {torch.get_num_threads()} thread(s)"
    except ImportError:
        torch = None
        tdesc = "torch not installed"
    out(f"relukit bench: {dt.name}, out= preallocated, relukit {_threads.get_num_threads()} thread(s); "
        f"{_ufuncs.TARGET} target; numpy {np.__version__}; {tdesc}")
    out(f"machine: {_cpu_name()}, {os.cpu_count()} CPUs, {platform.machine()}")
    out("times in microseconds, median of interleaved repeats; np/rk, torch/rk: how many times "
        "longer the peer takes (> 1: relukit is faster); copy: np.copyto of the same array")
    out(f"{'op':<21}{'size':>10}{'relukit':>10}{'numpy':>10}{'torch':>10}{'copy':>10}"
        f"{'np/rk':>8}{'torch/rk':>9}")
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        n = int(n)
        x = (rng.standard_normal(n) * 3).astype(dt)
        g = rng.standard_normal(n).astype(dt)
        buf = np.empty_like(x)
        buf.fill(0)
        tx = tg = None
        if torch is not None:
            tx, tg = torch.from_numpy(x), torch.from_numpy(g)
        for name in names:
            uses_g, rk, npf, _ = _peers.PEERS[name]
            fns = [(lambda: rk(x, g, buf)) if uses_g else (lambda: rk(x, buf)),
                   ((lambda: npf(x, g)) if uses_g else (lambda: npf(x))) if numpy else (lambda: None),
                   lambda: np.copyto(buf, x)]
            tc = _peers.torch_call(name, torch, tx, tg) if torch is not None else None
            if tc is not None:
                fns.append(tc)
            inner = max(3, 200_000 // n)
            reps = 2 if name in _peers.SLOW_NUMPY and n > 100_000 else repeats
            with np.errstate(all="ignore"):
                ts = median_times(fns, repeats=reps, inner=inner, warm=WARM_S)
            t_rk, t_np, t_copy = ts[0], (ts[1] if numpy else None), ts[2]
            t_t = ts[3] if len(ts) > 3 else None
            rows.append((name, n, t_rk, t_np, t_t, t_copy))
            out(f"{name:<21}{n:>10}{_fmt_t(t_rk)}{_fmt_t(t_np)}{_fmt_t(t_t)}{_fmt_t(t_copy)}"
                + (f"{t_np / t_rk:>8.1f}" if t_np else f"{'-':>8}")
                + (f"{t_t / t_rk:>9.2f}" if t_t else f"{'-':>9}"))
    if plot:
        _plot(rows, plot, dt, out, f"{_cpu_name()}, relukit {_threads.get_num_threads()} thr; {tdesc}")
    return rows


def _plot(rows, path, dt, out, subtitle):
    """Time per element against size, one line per library (the geometric mean
    over the group's ops), one panel per op group."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        out("bench: --plot needs matplotlib (pip install matplotlib); no chart written")
        return
    groups = [(title, [r for r in rows if r[0] in ops]) for title, ops in _peers.GROUPS]
    groups = [(t, rs) for t, rs in groups if rs]
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 4.2), squeeze=False)
    for ax, (title, rs) in zip(axes[0], groups):
        sizes = sorted({r[1] for r in rs})
        for col, label, style in ((2, "relukit", "o-"), (3, "NumPy", "s--"), (4, "PyTorch", "^-."),
                                  (5, "memory copy", "k:")):
            pts = []
            for n in sizes:
                ts = [r[col] for r in rs if r[1] == n and r[col]]
                if ts:
                    pts.append((n, float(np.exp(np.mean(np.log(ts)))) / n * 1e9))
            if pts:
                ax.plot(*zip(*pts), style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("elements")
        ax.set_ylabel("ns per element (geometric mean over the group)")
        ax.set_title(f"{title} ({len({r[0] for r in rs})} ops)", fontsize=10)
        ax.grid(True, which="both", lw=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"relukit bench, {dt.name}, out=: {subtitle}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    out(f"chart written to {path}")
