#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan + libFuzzer), straight
# from the library's sources: tests/fuzz/build.sh OUTDIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-fuzz}
mkdir -p "$out"
CC=${CC:-clang}
flags=(-std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$root/include" -I"$root/src")
# The library's sources, as each folder's src/*/meson.build lists them (the
# gl files compile to their "built without EGL" answers without -DKZV_HAVE_GL).
srcs=()
for mb in "$root"/src/*/meson.build; do
  for f in $(grep -oE "'[a-z0-9_/]+\.c'" "$mb" | tr -d "'"); do
    srcs+=("$(dirname "$mb")/$f")
  done
done
[ ${#srcs[@]} -gt 0 ] || { echo "build.sh: no sources found in src/*/meson.build" >&2; exit 1; }
libs=$(pkg-config --libs libavformat libavcodec libswscale libavutil)
for t in "$root"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  "$CC" "${flags[@]}" "$t" "${srcs[@]}" -o "$out/$name" $libs -lm -lpthread
  echo "built $out/$name"
done
