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
from relukit._selfcheck import WARM_S, sample_times

NOISY = 2.0  # a row whose slowest repeat took this many times its fastest is flagged


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
        plot=None, out=print, numpy=True, allocate=False):
    """Time every op (or `ops`) at every size; print the table, return its rows.

    Parameters
    ----------
    ops : sequence of str, optional
        Names from ``relukit._peers.PEERS`` (default: all).
    sizes : sequence of int
        Array lengths.
    dtype : {'float16', 'float32', 'float64', 'bfloat16'}
        bfloat16 needs ml_dtypes.
    threads : int, optional
        Threads for relukit and for PyTorch (default: relukit's current limit,
        and PyTorch's default).
    repeats : int
        Interleaved timed repeats per op (the median is reported, and the spread:
        the largest ratio of a library's slowest to its fastest repeat; a row whose
        spread exceeds NOISY is flagged).
    plot : str, optional
        Write a chart to this file (needs matplotlib, checked before timing).
    out : callable
        Where lines go.
    numpy : bool
        Time the NumPy expressions (slow on large arrays: several passes, and
        math.erf per element for GELU).
    allocate : bool
        relukit allocates its result on every call, as PyTorch's op does
        (default: ``out=`` a preallocated array).

    Returns
    -------
    list of tuple
        ``(op, size, t_relukit, t_numpy or None, t_torch or None, t_copy, spread)``,
        times in seconds.

    Raises
    ------
    ValueError
        An unknown op, a size below 1, bfloat16 without ml_dtypes, or `plot`
        without matplotlib; raised before anything is timed.
    """
    names = list(ops) if ops else list(_peers.PEERS)
    bad = [n for n in names if n not in _peers.PEERS]
    if bad:
        raise ValueError(f"bench: no benchmark for {', '.join(bad)}; choose from {', '.join(_peers.PEERS)}")
    if any(int(n) < 1 for n in sizes):
        raise ValueError("bench: sizes must be positive")
    dt = _dtype(dtype)
    if plot:
        try:
            import matplotlib  # noqa: F401 - checked now, not after minutes of timing
        except ImportError:
            raise ValueError("bench: --plot needs matplotlib (pip install matplotlib)") from None
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
    how = "relukit allocating" if allocate else "out= preallocated"
    out(f"relukit bench: {dt.name}, {how}, relukit {_threads.get_num_threads()} thread(s); "
        f"{_ufuncs.TARGET} target; numpy {np.__version__}; {tdesc}")
    out(f"machine: {_cpu_name()}, {os.cpu_count()} CPUs, {platform.machine()}")
    out("times in microseconds, median of interleaved repeats; np/rk, torch/rk: how many times "
        "longer the peer takes (> 1: relukit is faster); copy: np.copyto of the same array")
    out(f"spread: the largest ratio of one library's slowest repeat to its fastest; "
        f"'!' marks a row above {NOISY:g}x (noisy: rerun it)")
    out(f"{'op':<21}{'size':>10}{'relukit':>10}{'numpy':>10}{'torch':>10}{'copy':>10}"
        f"{'np/rk':>8}{'torch/rk':>9}{'spread':>8}")
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
            tx, tg = _tensor(torch, x), _tensor(torch, g)
        for name in names:
            uses_g, rk, npf, _ = _peers.PEERS[name]
            np_call = ((lambda: npf(x, g)) if uses_g else (lambda: npf(x))) if numpy else None
            if np_call is not None:
                try:  # a NumPy expression may have no loop for bfloat16
                    with np.errstate(all="ignore"):
                        np_call()
                except TypeError:
                    np_call = None
            dst = None if allocate else buf
            fns = [(lambda: rk(x, g, dst)) if uses_g else (lambda: rk(x, dst)),
                   np_call or (lambda: None),
                   lambda: np.copyto(buf, x)]
            tc = _peers.torch_call(name, torch, tx, tg) if torch is not None else None
            if tc is not None:
                fns.append(tc)
            inner = max(3, 200_000 // n)
            reps = 2 if name in _peers.SLOW_NUMPY and n > 100_000 else repeats
            with np.errstate(all="ignore"):
                samples = sample_times(fns, repeats=reps, inner=inner, warm=WARM_S)
            ts = [float(np.median(t)) for t in samples]
            t_rk, t_np, t_copy = ts[0], (ts[1] if np_call else None), ts[2]
            t_t = ts[3] if len(ts) > 3 else None
            timed = [t for i, t in enumerate(samples) if i != 1 or np_call]
            spread = max(max(t) / min(t) if min(t) > 0 else float("inf") for t in timed)
            rows.append((name, n, t_rk, t_np, t_t, t_copy, spread))
            out(f"{name:<21}{n:>10}{_fmt_t(t_rk)}{_fmt_t(t_np)}{_fmt_t(t_t)}{_fmt_t(t_copy)}"
                + (f"{t_np / t_rk:>8.1f}" if t_np else f"{'-':>8}")
                + (f"{t_t / t_rk:>9.2f}" if t_t else f"{'-':>9}")
                + f"{spread:>7.1f}x" + (" !" if spread > NOISY else ""))
    noisy = sum(r[6] > NOISY for r in rows)
    if noisy:
        out(f"{noisy} row(s) marked '!' had a spread above {NOISY:g}x: their medians are "
            "unreliable; rerun them (--ops NAME) on a quieter machine")
    if plot:
        _plot(rows, plot, dt, out, f"{_cpu_name()}, relukit {_threads.get_num_threads()} thr; {tdesc}")
    return rows


def _dtype(name):
    """The dtype of a --dtype name; bfloat16 through ml_dtypes."""
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ValueError("bench: bfloat16 needs ml_dtypes (pip install ml_dtypes)") from None
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def _tensor(torch, a):
    """A tensor sharing a's memory (bfloat16 through its bits)."""
    if a.dtype.kind != "f":  # ml_dtypes' bfloat16
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def _plot(rows, path, dt, out, subtitle):
    """Time per element against size, one line per library (the geometric mean
    over the group's ops), one panel per op group."""
    import matplotlib  # checked by run() before timing
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
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


def run_gated(ops=None, sizes=(1 << 20,), dtype="float32", threads=None, repeats=7, out=print,
              numpy=True):
    """The gated family: relukit's fused op (out= preallocated) against relukit's
    activation alone (out=), PyTorch's composite (``F.silu(a) * b``, allocating)
    and the NumPy expression (allocating); the backward against the autograd of
    PyTorch's composite (``y.backward(g)``, a and b leaf tensors).  Medians of
    interleaved repeats, each a block of several calls timed after WARM_S of untimed
    calls, as `run` times (one cold call would be timed while PyTorch's OpenMP threads
    of the block before still spin on the cores); returns rows ``(op, size, t_fused, t_act, t_torch, t_numpy,
    t_bwd, t_torch_bwd)`` (None where a peer is missing)."""
    dt = _dtype(dtype)
    names = list(ops) if ops else list(_peers.GATED_PEERS)
    bad = [n for n in names if n not in _peers.GATED_PEERS]
    if bad:
        raise ValueError(f"bench: no gated benchmark for {', '.join(bad)}; "
                         f"choose from {', '.join(_peers.GATED_PEERS)}")
    old = _threads.get_num_threads()
    if threads:
        _threads.set_num_threads(threads)
    try:
        try:
            import torch
            if threads:
                torch.set_num_threads(threads)
            tdesc = f"torch {torch.__version__} with {torch.get_num_threads()} thread(s)"
        except ImportError:
            torch = None
            tdesc = "torch not installed"
        out(f"relukit bench (gated): {dt.name}, relukit {_threads.get_num_threads()} thread(s), out= "
            f"preallocated; peers allocate; {tdesc}")
        out("times in microseconds, medians; ratios: fused/act = the fused op over relukit's "
            "activation alone; fused/torch and bwd/torch: relukit over PyTorch (< 1: relukit faster); "
            "np/fused: NumPy over relukit")
        out(f"{'op':<12}{'size':>10}{'fused':>10}{'act':>10}{'torch':>10}{'numpy':>11}"
            f"{'bwd':>10}{'torch bwd':>11}{'fused/act':>10}{'fused/torch':>12}{'bwd/torch':>10}"
            f"{'np/fused':>9}")
        rows = []
        rng = np.random.default_rng(0)
        for n in sizes:
            a, b, g = (rng.standard_normal(n).astype(np.float32).astype(dt) for _ in range(3))
            y, ga, gb, ya = (np.empty_like(a) for _ in range(4))
            if torch is not None:
                ta, tb, tg = (_tensor(torch, v) for v in (a, b, g))
                la, lb = ta.clone().requires_grad_(True), tb.clone().requires_grad_(True)
            for name in names:
                fwd, bwd, act = _peers.gated_relukit(name)
                _, npf, npb, tf = _peers.GATED_PEERS[name]
                fns = [lambda: fwd(a, b, y), lambda: act(a, ya), lambda: bwd(g, a, b, (ga, gb))]
                if torch is not None:
                    F = torch.nn.functional

                    def tbwd(F=F, tf=tf):
                        la.grad = lb.grad = None
                        tf(F, la, lb).backward(tg)

                    fns += [lambda F=F, tf=tf: tf(F, ta, tb), tbwd]
                if numpy and not (name.startswith("geglu") and name != "geglu_tanh" and n > 1 << 20):
                    fns.append(lambda npf=npf: npf(a, b))
                inner = max(3, 200_000 // n)
                with np.errstate(all="ignore"):
                    ts = sample_times(fns, repeats, inner=inner, warm=WARM_S)
                med = [float(np.median(t)) for t in ts]
                t_f, t_a, t_b = med[:3]
                t_t = t_tb = t_np = None
                k = 3
                if torch is not None:
                    t_t, t_tb = med[3], med[4]
                    k = 5
                if len(med) > k:
                    t_np = med[k]
                rows.append((name, n, t_f, t_a, t_t, t_np, t_b, t_tb))

                def r(x, y_):
                    return f"{x / y_:.2f}" if x is not None and y_ else "-"
                out(f"{name:<12}{n:>10}{_fmt_t(t_f)}{_fmt_t(t_a)}{_fmt_t(t_t)} {_fmt_t(t_np)}"
                    f"{_fmt_t(t_b)} {_fmt_t(t_tb)}{r(t_f, t_a):>10}{r(t_f, t_t):>12}{r(t_b, t_tb):>10}"
                    f"{r(t_np, t_f):>9}")
        return rows
    finally:
        _threads.set_num_threads(old)
