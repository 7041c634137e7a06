#!/usr/bin/env bash
# After `make demo` the README's `kzv play` needs SDL2 (issue #16 item 15):
# the player's dependencies come with the build's packages, and a build
# directory configured before a dependency appeared is reconfigured.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)

check "scripts/deps.sh build installs libsdl2-dev" bash -c '
    source <(sed -n "/^build_pkgs=(/,/)/p" "$1"); printf "%s\n" "${build_pkgs[@]}" | grep -qx libsdl2-dev' _ "$src/scripts/deps.sh"
check "the Makefile's build target runs scripts/reconfigure.sh" \
    grep -q 'scripts/reconfigure.sh \$(BUILD)' "$src/Makefile"

# reconfigure.sh with a stand-in meson that records its calls.
mkdir -p "$TMP/bin" "$TMP/b"
cat >"$TMP/bin/meson" <<'SH'
#!/bin/sh
echo "$*" >>"$KZV_FAKE_MESON_LOG"
SH
chmod +x "$TMP/bin/meson"
export KZV_FAKE_MESON_LOG=$TMP/meson.log
touch "$TMP/b/build.ninja"
run() { PATH="$TMP/bin:$PATH" "$src/scripts/reconfigure.sh" "$TMP/b" >/dev/null; }
run
check "no stamp yet (a build dir from before): reconfigured" grep -q "setup --reconfigure $TMP/b" "$TMP/meson.log"
check "the stamp is written" test -s "$TMP/b/kzv-deps.stamp"
: >"$TMP/meson.log"
run
check "nothing changed: not reconfigured" test ! -s "$TMP/meson.log"
sed -i 's/^sdl2 .*/sdl2 none/' "$TMP/b/kzv-deps.stamp"
if [ "$(pkg-config --modversion sdl2 2>/dev/null || echo none)" != none ]; then
    run
    check "SDL2 appeared since the stamp: reconfigured" grep -q 'setup --reconfigure' "$TMP/meson.log"
else
    ok "SDL2 is not installed here: the 'appeared' case is not checked"
fi
rm -f "$TMP/b/build.ninja"; : >"$TMP/meson.log"; rm -f "$TMP/b/kzv-deps.stamp"
run
check "no build.ninja: nothing to reconfigure" test ! -s "$TMP/meson.log"

finish
