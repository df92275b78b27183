#!/usr/bin/env bash
# relukit.cuda on a bare GPU machine, in one command, from the root of a checkout:
#
#     bash benchmarks/cuda_run.sh            # build, check, benchmark (meant to fit 8 minutes)
#     bash benchmarks/cuda_run.sh --dry-run  # no build, no GPU: the same Python steps under
#                                            # Numba's CUDA simulator at tiny sizes (seconds)
#
# The machine needs Python 3 with pip, meson, Cython, ninja, a C compiler,
# numba-cuda and PyTorch (CuPy optional); no package index.  Wheels that it
# lacks are taken from .whl/ (see the README's GPU section for how to fill it):
# meson-python and pyproject-metadata to build relukit, a NumPy that
# numba-cuda 0.30.4 supports (< 2.5; it shadows the machine's own NumPy), and
# ml_dtypes (bfloat16).
#
# Steps:
# 1. install .whl/*.whl into .site/ (on PYTHONPATH); build relukit's wheel with
#    meson-python (no build isolation, no index) and install it there.
# 2. Correctness, in parallel processes (the CPU side of each uses relukit's
#    threads), each stopped at RELUKIT_CHECK_LIMIT seconds (default 250; the
#    exhaustive checks then print what they covered):
#    a. float32, every row forward and backward, all 2^32 inputs (2^RELUKIT_F32_BITS),
#       against the CPU kernels: benchmarks/cuda_exhaustive.py, rows split over
#       RELUKIT_F32_JOBS processes (default 4);
#    b. float16 and bfloat16, all 2^16 inputs: cuda_exhaustive.py;
#    c. float64 sampled (10^6 random inputs per case, against the reference's
#       ULP bound), the API and errors: tests/cuda_check.py --dtypes float64.
# 3. Bandwidth (1 GiB arrays; float32, float16, bfloat16: one process each) and
#    host time per call (4 Ki, 1 Mi, 64 Mi elements, out= and allocating, against
#    torch and CuPy): benchmarks/cuda_bench.py.  These processes start with step 2
#    and compile their kernels meanwhile; each times only while holding a lock
#    that this script holds until step 2 is over, so the timings run one by one
#    on an otherwise idle GPU.
# Logs: cuda_run.*.log, results: cuda_exhaustive.*.json and cuda_bench.*.json,
# in the checkout root.  Exit status: 0 when every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
ROOT=$PWD
dry=0
if [[ "${1:-}" == "--dry-run" ]]; then
    dry=1
    shift
fi
limit=${RELUKIT_CHECK_LIMIT:-250}
f32_bits=${RELUKIT_F32_BITS:-32}
f32_jobs=${RELUKIT_F32_JOBS:-4}
bits16=16
n64=1000000
gib=${RELUKIT_BENCH_GIB:-1}
cpus=$(nproc 2>/dev/null || echo 4)
threads=$(( cpus / (f32_jobs + 1) > 0 ? cpus / (f32_jobs + 1) : 1 ))
logs="$ROOT"
if (( dry )); then
    # the simulator, the relukit already importable, tiny sizes; no timings
    export NUMBA_ENABLE_CUDASIM=1
    f32_bits=8; bits16=6; n64=16; f32_jobs=2; threads=1
    logs=$(mktemp -d)
    rows=(--rows relu gelu_bwd elu_bwd_y)
    f64=(--shard 1/40)  # one row (the test suite runs all of cuda_check in the simulator)
else
    rows=()
    f64=()
    mkdir -p .site
    if compgen -G ".whl/*.whl" > /dev/null; then
        $PY -m pip install -q --no-index --no-deps --target .site .whl/*.whl
    fi
    export PYTHONPATH="$ROOT/.site${PYTHONPATH:+:$PYTHONPATH}"
    rm -rf .site-build && mkdir .site-build
    $PY -m pip wheel -q --no-index --no-deps --no-build-isolation -w .site-build .
    $PY -m pip install -q --no-index --no-deps --upgrade --target .site .site-build/relukit-*.whl
    cd .site  # import the installed relukit, not the source tree
fi
$PY -c "import numpy, numba, relukit, relukit.cuda; print('numpy', numpy.__version__, '| numba', numba.__version__, '| relukit', relukit.__version__, '| GPU available:', relukit.cuda.is_available())"
start=$SECONDS
status=0
pids=()
names=()
run_bg() {  # name, command...: run in the background, output to $logs/cuda_run.<name>.log
    local name=$1
    shift
    "$@" > "$logs/cuda_run.$name.log" 2>&1 &
    pids+=($!)
    names+=("$name")
}
bench() {  # step 3's commands: name, cuda_bench.py options
    local name=$1
    shift
    if (( locked )); then
        run_bg "bench.$name" $PY "$ROOT/benchmarks/cuda_bench.py" "$@" --lock "$lock" \
            --json "$logs/cuda_bench.$name.json"
    else  # no flock(1): one after the other, after step 2
        $PY "$ROOT/benchmarks/cuda_bench.py" "$@" --json "$logs/cuda_bench.$name.json" \
            || { echo "step 3: $name failed"; status=1; }
    fi
}
bench_all() {
    for dt in float32 float16 bfloat16; do
        bench "$dt" --gib "$gib" --dtypes "$dt" --no-host
    done
    bench host --host-only
}
# step 3's processes first: they compile while step 2 runs, then wait for the lock
lock="$logs/cuda_run.lock"
locked=0
if command -v flock > /dev/null; then
    locked=1
    exec 9> "$lock"
    flock 9
    if (( ! dry )); then
        bench_all
    fi
fi
bench_n=${#pids[@]}
# step 2
for ((i = 0; i < f32_jobs; i++)); do
    run_bg "f32.$i" timeout -s INT "$limit" $PY "$ROOT/benchmarks/cuda_exhaustive.py" \
        --dtypes float32 --bits "$f32_bits" --shard "$i/$f32_jobs" --threads "$threads" \
        "${rows[@]}" --json "$logs/cuda_exhaustive.f32.$i.json"
done
run_bg f16-bf16 timeout -s INT "$limit" $PY "$ROOT/benchmarks/cuda_exhaustive.py" \
    --dtypes float16 bfloat16 --bits16 "$bits16" --threads "$threads" "${rows[@]}" \
    --json "$logs/cuda_exhaustive.16.json"
run_bg f64 timeout "$limit" $PY "$ROOT/tests/cuda_check.py" --dtypes float64 --n "$n64" "${f64[@]}"
for ((i = bench_n; i < ${#pids[@]}; i++)); do
    wait "${pids[$i]}" || { echo "step 2: ${names[$i]} failed (exit $?)"; status=1; }
    echo "==== ${names[$i]}"
    cat "$logs/cuda_run.${names[$i]}.log"
done
echo "step 2 (correctness): $((SECONDS - start)) s"
if (( locked )); then
    flock -u 9  # step 3: the timings, one process at a time
elif (( ! dry )); then
    bench_all
fi
for ((i = 0; i < bench_n; i++)); do
    wait "${pids[$i]}" || { echo "step 3: ${names[$i]} failed (exit $?)"; status=1; }
    echo "==== ${names[$i]}"
    cat "$logs/cuda_run.${names[$i]}.log"
done
echo "steps 2-3: $((SECONDS - start)) s; exit status $status"
if (( dry )); then
    rm -rf "$logs"
fi
exit $status
