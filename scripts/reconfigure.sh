#!/usr/bin/env bash
# Reconfigure a Meson build directory when an optional dependency appeared,
# went away or changed version since it was configured (kzv play's SDL2
# window, kzv sheet's fonts, GL): Meson looks for them only at setup, so a
# build/ configured before `scripts/deps.sh` installed one never used it.
# Usage: scripts/reconfigure.sh BUILD_DIR   (the Makefile runs it before ninja)
#        scripts/reconfigure.sh --record BUILD_DIR   (right after `meson setup`:
#        what it found is current, so the first build does not set up again)
set -euo pipefail
record=false
[ "${1:-}" = --record ] && { record=true; shift; }
build=${1:?usage: $0 [--record] BUILD_DIR}
[ -f "$build/build.ninja" ] || exit 0
stamp=$build/kzv-deps.stamp
now=$(for p in sdl2 freetype2 fontconfig egl glesv2; do
          printf '%s %s\n' "$p" "$(pkg-config --modversion "$p" 2>/dev/null || echo none)"
      done)
if $record; then
    printf '%s\n' "$now" >"$stamp"
    exit 0
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$now" ]; then
    exit 0
fi
if [ -f "$stamp" ]; then
    echo "kzv: optional dependencies changed since $build was configured; reconfiguring"
else
    echo "kzv: $build was configured before kzv recorded its optional dependencies; reconfiguring"
fi
meson setup --reconfigure "$build" >/dev/null </dev/null
printf '%s\n' "$now" >"$stamp"
