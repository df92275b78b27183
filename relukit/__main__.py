"""python -m relukit: configuration, a self-check against the scalar reference,
and a quick timing against the NumPy expression; subcommands verify and bench."""
import argparse
import importlib.util
import sys
import time


def _dtypes():
    """The --dtype choices: bfloat16 too where ml_dtypes is installed."""
    base = ["float16", "float32", "float64"]
    return base + (["bfloat16"] if importlib.util.find_spec("ml_dtypes") is not None else [])


class _Help(argparse.HelpFormatter):
    """Every option's help shows its default (where it has one)."""

    def _get_help_string(self, action):
        text = action.help or ""
        d = action.default
        if "(default" in text or d is None or d is False or d == argparse.SUPPRESS:
            return text
        shown = " ".join(map(str, d)) if isinstance(d, list) else str(d)
        return f"{text} (default: {shown})".replace("%", "%%")


def _parser(prog, description):
    return argparse.ArgumentParser(prog=prog, description=description, formatter_class=_Help)


def verify_main(argv):
    parser = _parser(
        "python -m relukit verify",
        "Measure every op's accuracy in ULP against the scalar C reference "
        "and compare with the published bounds (exit status 1 on a failure).")
    parser.add_argument("--exhaustive", action="store_true",
                        help="float32: all 2^32 inputs (minutes per op) instead of samples")
    parser.add_argument("--op", "--ops", dest="op", nargs="+", metavar="NAME",
                        help="ops to check (default: all)")
    parser.add_argument("--dtype", nargs="+", choices=_dtypes(),
                        default=["float16", "float32", "float64"],
                        help="dtypes to check (bfloat16, where ml_dtypes is installed: all "
                             "65536 inputs against the float32 op rounded once)")
    parser.add_argument("--samples", type=int, default=1_000_000,
                        help="sampled inputs per op for float32 (not exhaustive) and float64")
    parser.add_argument("--threads", type=int, default=2, help="threads for --exhaustive")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the sampled inputs (each op and dtype draws its own "
                             "stream from it: a figure does not depend on the other ops listed)")
    parser.add_argument("--targets", nargs="+", metavar="TARGET",
                        help="check these targets side by side, one column each ('all': every "
                             "target this CPU runs); the exhaustive float32 sweep computes the "
                             "reference once for all of them (default: the selected target)")
    args = parser.parse_args(argv)
    from relukit import _ufuncs, _verify
    targets = args.targets
    if targets == ["all"]:
        targets = list(_ufuncs.SUPPORTED_TARGETS)
    dtypes = [d for d in args.dtype if d != "bfloat16"]
    try:
        ok = True
        if dtypes or not args.dtype:
            ok = _verify.run(ops=args.op, dtypes=dtypes, exhaustive=args.exhaustive,
                             samples=args.samples, threads=args.threads, seed=args.seed,
                             targets=targets)
        if "bfloat16" in args.dtype:
            from relukit import _bf16check

            if not dtypes:
                _verify.run(ops=args.op, dtypes=(), out=lambda line: None)  # checks the names
            ok &= _bf16check.run(args.op)
    except ValueError as exc:
        parser.error(str(exc))
    return 0 if ok else 1


def bench_main(argv):
    parser = _parser(
        "python -m relukit bench",
        "Time relukit against the NumPy expression and PyTorch's CPU op "
        "(when installed), in one run, with ratios and the spread of the repeats.")
    parser.add_argument("--ops", "--op", dest="ops", nargs="+", metavar="NAME",
                        help="ops (default: all)")
    parser.add_argument("--sizes", nargs="+", type=int, default=[4096, 1 << 20],
                        help="array sizes")
    parser.add_argument("--dtype", choices=_dtypes(), default="float32",
                        help="dtype of the arrays (bfloat16 where ml_dtypes is installed)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for relukit and PyTorch (default: relukit's limit, "
                             "PyTorch's default)")
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed repeats per op (the median is shown, and their spread)")
    parser.add_argument("--plot", metavar="FILE",
                        help="write a chart (needs matplotlib: checked before timing)")
    parser.add_argument("--no-numpy", action="store_true",
                        help="skip the NumPy expressions (slow on large arrays)")
    parser.add_argument("--allocate", action="store_true",
                        help="relukit allocates its result on every call, as PyTorch does "
                             "(default: out= a preallocated array)")
    parser.add_argument("--gated", action="store_true",
                        help="the gated family (glu, reglu, geglu, geglu_tanh, swiglu): fused "
                             "forward against relukit's activation alone, PyTorch's composite and "
                             "NumPy; backward against the autograd of PyTorch's composite")
    args = parser.parse_args(argv)
    from relukit import _bench
    try:
        if args.gated:
            _bench.run_gated(ops=args.ops, sizes=args.sizes, dtype=args.dtype, threads=args.threads,
                             repeats=args.repeats, numpy=not args.no_numpy)
            return 0
        _bench.run(ops=args.ops, sizes=args.sizes, dtype=args.dtype, threads=args.threads,
                   repeats=args.repeats, plot=args.plot, numpy=not args.no_numpy,
                   allocate=args.allocate)
    except ValueError as exc:
        parser.error(str(exc))
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "verify":
        return verify_main(argv[1:])
    if argv and argv[0] == "bench":
        return bench_main(argv[1:])
    if argv and argv[0] == "fit":
        from relukit import _fit
        return _fit.main(argv[1:])
    if argv and argv[0] == "optable":
        from relukit import _opgen
        return _opgen.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m relukit",
        description="Show relukit's configuration, check every op against the scalar "
                    "reference, and time relu against np.maximum(x, 0).  "
                    "Subcommands: verify (accuracy table), bench (timings against NumPy and "
                    "PyTorch), fit (regenerate the kernels' coefficient tables, needs mpmath "
                    "and a source checkout), optable (check or rewrite the stubs' and README's "
                    "parts generated from the op table); see python -m relukit verify -h / bench -h "
                    "/ fit -h / optable -h.")
    parser.add_argument("--no-bench", action="store_true", help="skip the timing table")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    args = parser.parse_args(argv)

    import relukit
    from relukit import _selfcheck

    t0 = time.perf_counter()
    print("== relukit configuration")
    relukit.show_config()
    print("\n== self-check against the scalar reference (random and special inputs, "
          "contiguous and strided)")
    ok = _selfcheck.run_selfcheck(seed=args.seed)
    print("  all PASS" if ok else "  SOME CHECKS FAILED")
    if not args.no_bench:
        print("\n== quick benchmark")
        _selfcheck.run_quickbench()
    print(f"\n(done in {time.perf_counter() - t0:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
