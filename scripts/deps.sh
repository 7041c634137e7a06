#!/usr/bin/env bash
# Install the Debian packages a make target needs, only those missing.
# Usage: scripts/deps.sh build|test|bench
set -euo pipefail

# python3-dev + python3-numpy: the Python package (python/), built by Debian's
# /usr/bin/python3 (skipped by Meson when they are missing).
# libfreetype-dev + libfontconfig-dev: kzv sheet's titles in a real font;
# libsdl2-dev: kzv play's window (the README's quick tour plays a file right
# after `make demo`, so it comes with the build, not only with `make test`).
build_pkgs=(gcc make pkg-config meson ninja-build python3
            ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
            libegl-dev libgles-dev python3-dev python3-numpy
            libfreetype-dev libfontconfig-dev libsdl2-dev)
# Mesa's EGL + llvmpipe run the OpenGL tests without a GPU; clang and its
# runtime build the libFuzzer targets; valgrind checks the integration tests;
# Xvfb (+ xwd from x11-apps) shows kzv play's window in a test; xdotool
# types its keys.
# pytest runs the Python package's tests; Dask + distributed run kzv.dask's
# (a LocalCluster of worker processes); Pillow is used by a seed snippet;
# pip + meson-python test `pip install --no-build-isolation .`.
test_pkgs=(valgrind libegl-mesa0 libgl1-mesa-dri clang libclang-rt-14-dev
           xvfb x11-apps xdotool
           python3-pytest python3-dask python3-distributed python3-pil python3-pip python3-mesonpy)
bench_pkgs=(python3-av python3-matplotlib time libffms2-dev)

case "${1:-build}" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "kzv: missing packages: ${missing[*]}" >&2
  echo "kzv: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "kzv: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
