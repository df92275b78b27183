#!/usr/bin/env bash
# The C kernel test (tests/c/check_tables.c) built with AddressSanitizer and
# UndefinedBehaviorSanitizer, in a build directory of its own, and run by
# `meson test`: an out-of-bounds read or write of a kernel (a tail, a mask), a
# write into the guard bytes around an operand, or undefined behaviour fails it.
#
# Usage: tests/c/run_sanitizers.sh [BUILD_DIR]    (default: build-sanitize)
# Needs meson, ninja, cython and numpy on PATH (configuring the project needs
# them all, though only the C test is compiled here) and a C compiler with
# the sanitizer runtimes (gcc with libasan/libubsan, or clang).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-sanitize}

# -O1 -g1: what the sanitizers' documentation recommends, and half the build
# time of -O2 -g; -fno-sanitize-recover: the first UBSan report ends the run
opts=(-Dkernel_tests=true -Dbuildtype=plain
      "-Dc_args=-O1 -g1 -fno-sanitize-recover=all" -Dc_link_args=-fno-sanitize-recover=all
      -Db_sanitize=address,undefined -Db_lundef=false)
if [ -f "$build/build.ninja" ]; then
    meson setup --reconfigure "$build" "$root" "${opts[@]}" >/dev/null
else
    meson setup "$build" "$root" "${opts[@]}" >/dev/null
fi
meson compile -C "$build" check_tables
meson test -C "$build" --no-rebuild --suite c --print-errorlogs -v
