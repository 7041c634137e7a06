#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan + UBSan + libFuzzer), straight
# from the library's sources: tests/fuzz/build.sh OUTDIR
# The library (and the CLI's frame writers, for fuzz_writers) is compiled
# once into OUTDIR/obj, then each tests/fuzz/fuzz_*.c is linked against it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-fuzz}
mkdir -p "$out/obj"
CC=${CC:-clang}
flags=(-std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=undefined
       -I"$root/include" -I"$root/src" -I"$root/tools")
# The library's sources, as each folder's src/*/meson.build lists them (the
# gl files compile to their "built without EGL" answers without -DKZV_HAVE_GL).
srcs=()
for mb in "$root"/src/*/meson.build; do
  for f in $(grep -oE "'[a-z0-9_/]+\.c'" "$mb" | tr -d "'"); do
    srcs+=("$(dirname "$mb")/$f")
  done
done
[ ${#srcs[@]} -gt 0 ] || { echo "build.sh: no sources found in src/*/meson.build" >&2; exit 1; }
# The CLI's y4m and raw writers (tools/y4m.c, kzv_write_frame_raw in tools/util.c).
srcs+=("$root/tools/y4m.c" "$root/tools/util.c")
# The rest of the CLI for fuzz_args (the commands' option parsing): every
# tools/ file but main (kzv.c) and the player's GL drawing (play_gl.c:
# without KZV_PLAY_HAVE_GL cmd_play.c plays headless only, as a build
# without GL does).
cli_srcs=()
for f in "$root"/tools/*.c; do
  case $(basename "$f") in
    kzv.c|play_gl.c|y4m.c|util.c) ;;
    *) cli_srcs+=("$f") ;;
  esac
done
# A changed header recompiles everything.
if [ -n "$(find "$root/include" "$root/src" "$root/tools" -name '*.h' -newer "$out/obj/.stamp" 2>/dev/null | head -1)" ] ||
   [ ! -f "$out/obj/.stamp" ]; then
  rm -f "$out"/obj/*.o
fi
touch "$out/obj/.stamp"
objs=() cli_objs=()
for s in "${srcs[@]}" "${cli_srcs[@]}"; do
  o="$out/obj/$(echo "${s#"$root"/}" | tr / _).o"
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ]; then
    "$CC" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$s" -o "$o"
  fi
  case $s in "$root"/tools/*) [ "$s" = "$root/tools/y4m.c" ] || [ "$s" = "$root/tools/util.c" ] || { cli_objs+=("$o"); continue; } ;; esac
  objs+=("$o")
done
libs=$(pkg-config --libs libavformat libavcodec libswscale libavutil)
for t in "$root"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  extra=()
  [ "$name" = fuzz_args ] && extra=("${cli_objs[@]}")
  "$CC" "${flags[@]}" -fsanitize=fuzzer "$t" "${objs[@]}" "${extra[@]}" -o "$out/$name" $libs -lm -lpthread
  echo "built $out/$name"
done
