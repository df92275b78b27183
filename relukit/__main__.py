"""python -m relukit: configuration, a self-check against the float64
reference, and a quick timing against the NumPy expression."""
import argparse
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m relukit",
        description="Show relukit's configuration, check every op against a float64 "
                    "reference, and time relu against np.maximum(x, 0).")
    parser.add_argument("--no-bench", action="store_true", help="skip the timing table")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    args = parser.parse_args(argv)

    import relukit
    from relukit import _selfcheck

    t0 = time.perf_counter()
    print("== relukit configuration")
    relukit.show_config()
    print("\n== self-check against the float64 reference (random and special inputs, "
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
