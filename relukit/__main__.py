"""python -m relukit: configuration, a self-check against the scalar reference,
and a quick timing against the NumPy expression; subcommands verify and bench."""
import argparse
import sys
import time


def verify_main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m relukit verify",
        description="Measure every op's accuracy in ULP against the scalar C reference "
                    "and compare with the published bounds (exit status 1 on a failure).")
    parser.add_argument("--exhaustive", action="store_true",
                        help="float32: all 2^32 inputs (minutes per op) instead of samples")
    parser.add_argument("--op", nargs="+", metavar="NAME", help="ops to check (default: all)")
    parser.add_argument("--dtype", nargs="+", choices=["float16", "float32", "float64"],
                        default=["float16", "float32", "float64"], help="dtypes to check")
    parser.add_argument("--samples", type=int, default=1_000_000,
                        help="sampled inputs per op for float32 (not exhaustive) and float64")
    parser.add_argument("--threads", type=int, default=2, help="threads for --exhaustive")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampled inputs")
    args = parser.parse_args(argv)
    from relukit import _verify
    try:
        ok = _verify.run(ops=args.op, dtypes=args.dtype, exhaustive=args.exhaustive,
                         samples=args.samples, threads=args.threads, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    return 0 if ok else 1


def bench_main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m relukit bench",
        description="Time relukit against the NumPy expression and PyTorch's CPU op "
                    "(when installed), in one run, with ratios.")
    parser.add_argument("--ops", nargs="+", metavar="NAME", help="ops (default: all)")
    parser.add_argument("--sizes", nargs="+", type=int, default=[4096, 1 << 20],
                        help="array sizes (default: 4096 1048576)")
    parser.add_argument("--dtype", choices=["float16", "float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for relukit and PyTorch (default: relukit's limit, "
                             "PyTorch's default)")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per op (median)")
    parser.add_argument("--plot", metavar="FILE", help="write a chart (needs matplotlib)")
    parser.add_argument("--no-numpy", action="store_true",
                        help="skip the NumPy expressions (slow on large arrays)")
    args = parser.parse_args(argv)
    from relukit import _bench
    try:
        _bench.run(ops=args.ops, sizes=args.sizes, dtype=args.dtype, threads=args.threads,
                   repeats=args.repeats, plot=args.plot, numpy=not args.no_numpy)
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
    parser = argparse.ArgumentParser(
        prog="python -m relukit",
        description="Show relukit's configuration, check every op against the scalar "
                    "reference, and time relu against np.maximum(x, 0).  "
                    "Subcommands: verify (accuracy table), bench (timings against NumPy and "
                    "PyTorch), fit (regenerate the kernels' coefficient tables, needs mpmath "
                    "and a source checkout); see python -m relukit verify -h / bench -h / fit -h.")
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
