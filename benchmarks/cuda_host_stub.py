"""relukit.cuda's own host time per call, with the kernel launch stubbed out.

No GPU needed: the public API runs on CPU torch tensors with only the pieces
that need a GPU replaced (``install_stubs``): the tensor is taken to be on
device 0 with current stream 0, the kernel's compiled function, launch
configuration and stream object are placeholders, and cuda.core's ``launch``
does nothing.  Everything else runs as on a GPU: reading the operands, the
checks, the parameters, allocating the result through torch, the kernel and
launch caches, the argument list.  A torch CUDA tensor's
``__cuda_array_interface__`` is emulated on the CPU tensors (as torch builds it:
a new dict per access), and counted.

Usage::

    python benchmarks/cuda_host_stub.py                # this checkout
    python benchmarks/cuda_host_stub.py --before REV   # REV's relukit/cuda too, same run

Needs numba-cuda and torch (a CPU build is enough); NUMBA_ENABLE_CUDASIM must
be unset.  Prints microseconds per call: the calling thread's CPU time (so that
other load on the machine does not count), the best of --reps batches of --calls.
"""
import argparse
import ctypes
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

CAI_READS = [0]


def _fake_cai(t):
    """torch's __cuda_array_interface__ without its device check (as torch 2.x builds it)."""
    CAI_READS[0] += 1
    import torch
    if t.requires_grad:
        raise RuntimeError("Can't get __cuda_array_interface__ on Variable that requires grad")
    typestr = {torch.float16: "<f2", torch.float32: "<f4", torch.float64: "<f8"}.get(t.dtype)
    if typestr is None:
        raise TypeError(f"dtype {t.dtype} is not supported by __cuda_array_interface__")
    itemsize = t.element_size()
    shape = tuple(t.shape)
    strides = None if t.is_contiguous() else tuple(s * itemsize for s in t.stride())
    data_ptr = t.data_ptr() if t.numel() > 0 else 0
    return dict(typestr=typestr, shape=shape, strides=strides, data=(data_ptr, False), version=2)


class _Stream:
    cuda_stream = 0


def install_stubs(rc, launches=None, set_attr=setattr):
    """Replace the GPU-only pieces of relukit.cuda (module `rc`, loaded) so that it
    runs on CPU torch tensors.  `launches`: a list that receives the arguments of
    every (stubbed) launch.  `set_attr(obj, name, value)`: how to patch (pytest's
    monkeypatch.setattr undoes it after a test).  Returns the kernel module."""
    import torch
    from relukit.cuda import _arrays as A
    from relukit.cuda import _kernels as K
    set_attr(torch.Tensor, "__cuda_array_interface__", property(_fake_cai))
    set_attr(torch.cuda, "current_stream", lambda device=None: _Stream())
    if hasattr(A, "_torch_setup"):  # the host path that reads torch tensors directly
        A._torch_setup(torch)
        set_attr(A, "_torch_device", lambda t: 0)
        set_attr(A, "_torch_stream", lambda index: 0)
    set_attr(K, "FAST_LAUNCH", {"enabled": True, "reason": ""})
    kern = object()

    def fast_kernel(row, dtype, variant):
        cdt = K.compute_dtype(row, dtype)
        return kern, ctypes.c_double if cdt == np.float64 else ctypes.c_float

    def config(blocks):
        c = ("config", blocks)
        K._CONFIGS[blocks] = c
        return c

    def core_stream(handle):
        s = ("stream", handle)
        K._STREAMS[handle] = s
        return s

    def launch(stream, config, kernel, *args):
        if launches is not None:
            launches.append((stream, config, kernel, args))

    set_attr(K, "_fast_kernel", fast_kernel)
    set_attr(K, "_config", config)
    set_attr(K, "_core_stream", core_stream)
    set_attr(K, "_core_launch", launch)
    set_attr(K, "sm_count", lambda: 132)
    if hasattr(K, "_LAUNCHERS"):
        K._LAUNCHERS.clear()
    return K


def _load_cuda_from(src):
    """Import relukit.cuda from the directory `src` instead of the installed one."""
    import relukit
    spec = importlib.util.spec_from_file_location(
        "relukit.cuda", os.path.join(src, "__init__.py"), submodule_search_locations=[src])
    pkg = importlib.util.module_from_spec(spec)
    sys.modules["relukit.cuda"] = pkg
    relukit.cuda = pkg
    # the submodules by hand, in dependency order (an editable install's import
    # hook would otherwise find the installed ones)
    for sub in ("_table", "_kernels", "_arrays", "_gated"):
        if not os.path.exists(os.path.join(src, sub + ".py")):  # (an older relukit/cuda)
            continue
        s = importlib.util.spec_from_file_location(f"relukit.cuda.{sub}",
                                                   os.path.join(src, sub + ".py"))
        m = importlib.util.module_from_spec(s)
        sys.modules[f"relukit.cuda.{sub}"] = m
        s.loader.exec_module(m)
        setattr(pkg, sub, m)
    spec.loader.exec_module(pkg)
    return pkg


def measure(rc, n=4096, calls=20000, reps=7):
    """{case: microseconds per call} of the public API on float32 CPU tensors of n elements."""
    import torch
    x = torch.randn(n)
    g = torch.randn(n)
    o = torch.empty_like(x)
    cases = {
        "relu, out=": lambda: rc.relu(x, out=o),
        "relu": lambda: rc.relu(x),
        "gelu": lambda: rc.gelu(x),
        "gelu_backward": lambda: rc.gelu_backward(g, x),
        "leaky_relu(0.2)": lambda: rc.leaky_relu(x, 0.2),
    }
    if hasattr(rc, "swiglu"):  # the gated family (not in older revisions)
        x2 = torch.randn(2, n)
        cases.update({
            "swiglu(a, b), out=": lambda: rc.swiglu(x, g, out=o),
            "swiglu(a, b)": lambda: rc.swiglu(x, g),
            "swiglu(x) (split form, (2, 4096))": lambda: rc.swiglu(x2, axis=0),
            "swiglu_backward(g, a, b)": lambda: rc.swiglu_backward(g, x, g),
        })
    res = {}
    for name, fn in cases.items():
        for _ in range(200):
            fn()
        ts = []
        for _ in range(reps):
            t0 = time.thread_time()
            for _ in range(calls):
                fn()
            ts.append((time.thread_time() - t0) / calls * 1e6)
        res[name] = min(ts)
    CAI_READS[0] = 0
    rc.relu(x, out=o)
    res["__cuda_array_interface__ reads per relu(x, out=o)"] = CAI_READS[0]
    return res


def _child(src, calls, reps):
    if src:
        rc = _load_cuda_from(src)
    else:
        import relukit.cuda as rc
    install_stubs(rc)
    for k, v in measure(rc, calls=calls, reps=reps).items():
        print(f"{k}\t{v}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", metavar="REV", help="also measure REV's relukit/cuda (git)")
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--child", metavar="SRC", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0"):
        ap.error("unset NUMBA_ENABLE_CUDASIM: the host path measured is the GPU one")
    if args.child is not None:
        _child(args.child, args.calls, args.reps)
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            tar = subprocess.run(["git", "-C", root, "archive", args.before, "relukit/cuda"],
                                 capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=tar, check=True)
            runs.append((args.before, os.path.join(tmp, "relukit", "cuda")))
        runs.append(("this checkout", ""))
        table = {}
        for label, src in runs:
            r = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", src,
                                "--calls", str(args.calls), "--reps", str(args.reps)],
                               capture_output=True, text=True)
            if r.returncode:
                print(r.stdout + r.stderr, file=sys.stderr)
                return 1
            table[label] = dict(ln.split("\t") for ln in r.stdout.strip().splitlines())
    labels = [lb for lb, _ in runs]
    print("relukit.cuda host time per call with the launch stubbed out, float32 torch tensors "
          f"of 4096 elements, us of thread CPU time (best of {args.reps} x {args.calls} calls)")
    print(f"{'call':52s}" + "".join(f"{lb:>16s}" for lb in labels))
    for case in table[labels[-1]]:
        print(f"{case:52s}" + "".join(f"{float(table[lb].get(case, 'nan')):16.2f}" for lb in labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
