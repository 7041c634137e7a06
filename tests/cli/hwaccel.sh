#!/usr/bin/env bash
# --hw: an unknown device type is a usage error (2); a named device that is
# not available falls back to software with a warning (issue #16 item 7).
. "$(dirname "$0")/lib.sh"
f=$(fixture h264.mp4)

for cmd in probe frames decode validate bench; do
    expect_rc 2 "$cmd --hw bogus" "$cmd" "$f" --hw bogus
    check "$cmd --hw bogus names the known types" grep -q 'vaapi\|cuda\|none, auto' "$TMP/err"
done
expect_rc 2 "sheet --hw bogus" sheet "$f" --hw bogus -o "$TMP/s.png"

# A device type this FFmpeg knows but this machine cannot open.
"$KZV" probe --hwaccel >"$TMP/hw" 2>/dev/null
dev=$(awk '$2 == "not" { print $1; exit }' "$TMP/hw")
if [ -z "$dev" ]; then
    ok "every device type opens here: no fallback to check"
else
    for cmd in decode frames probe; do
        expect_rc 0 "$cmd --hw $dev (not available here)" "$cmd" "$f" --hw "$dev"
        check "$cmd --hw $dev warns that it decodes in software" grep -qi 'software' "$TMP/err"
    done
    expect_rc 0 "probe --json --hw $dev" probe "$f" --json --hw "$dev"
    check "probe --json --hw $dev says hwaccel none" grep -q '"hwaccel":"none"' "$TMP/out"
fi
expect_rc 0 "decode --hw none: no warning" decode "$f" --hw none -o "$TMP/a.rgb" -q
check "decode --hw none: stderr empty" test ! -s "$TMP/err"
expect_rc 0 "decode --hw auto: software quietly when nothing is there" decode "$f" --hw auto -o "$TMP/b.rgb"

finish
