#!/usr/bin/env bash
# relukit.cuda on a bare GPU machine, in one command, from the root of a checkout:
#
#     bash benchmarks/cuda_run.sh [cuda_bench.py options]
#
# The machine needs Python 3 with pip, meson, Cython, ninja, a C compiler,
# numba-cuda and PyTorch (CuPy optional); no package index.  Wheels that it
# lacks are taken from .whl/ (see the README's GPU section for how to fill it):
# meson-python and pyproject-metadata to build relukit, and a NumPy that
# numba-cuda 0.30.4 supports (< 2.5; it shadows the machine's own NumPy).
#
# Steps: 1. install .whl/*.whl into .site/ (on PYTHONPATH);  2. build relukit's
# wheel with meson-python (no build isolation, no index) and install it there;
# 3. the GPU correctness check of every row, dtype and path against the CPU
# ufuncs (tests/cuda_check.py, RELUKIT_CHECK_N = 10^5 random inputs per case, split over
# RELUKIT_CHECK_JOBS processes, default 1: compiling the kernels is most of its time);
# 4. the bandwidth table (benchmarks/cuda_bench.py), also written to cuda_bench.json,
# after the check has finished, so that nothing else runs on the GPU while it times.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
mkdir -p .site
if compgen -G ".whl/*.whl" > /dev/null; then
    $PY -m pip install -q --no-index --no-deps --target .site .whl/*.whl
fi
export PYTHONPATH="$PWD/.site${PYTHONPATH:+:$PYTHONPATH}"
rm -rf .site-build && mkdir .site-build
$PY -m pip wheel -q --no-index --no-deps --no-build-isolation -w .site-build .
$PY -m pip install -q --no-index --no-deps --upgrade --target .site .site-build/relukit-*.whl
cd .site  # import the installed relukit, not the source tree
$PY -c "import numpy, numba, relukit, relukit.cuda; print('numpy', numpy.__version__, '| numba', numba.__version__, '| relukit', relukit.__version__, '| GPU available:', relukit.cuda.is_available())"
status=0
jobs=${RELUKIT_CHECK_JOBS:-1}
pids=()
for ((i = 0; i < jobs; i++)); do
    $PY ../tests/cuda_check.py --n "${RELUKIT_CHECK_N:-100000}" --shard "$i/$jobs" > "../cuda_check.$i.log" 2>&1 &
    pids+=($!)
done
for ((i = 0; i < jobs; i++)); do
    wait "${pids[$i]}" || status=$?
    cat "../cuda_check.$i.log"
done
$PY ../benchmarks/cuda_bench.py --json ../cuda_bench.json "$@" || status=$?
exit $status
