#!/usr/bin/env bash
# Exit codes: 0 ok, 1 check failed, 2 usage error, 3 input error (+ message).
. "$(dirname "$0")/lib.sh"
h264=$(fixture h264.mp4)

expect_rc 0 "kzv --version" --version
check "--version names the version" grep -Eq '^kzv [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out"
expect_rc 0 "kzv --help" --help
expect_rc 0 "kzv help" help
expect_rc 0 "kzv help decode" help decode
check "help decode shows decode's usage" grep -q 'Usage: kzv decode' "$TMP/out"
expect_rc 2 "kzv without a command" 
expect_rc 2 "unknown command" frobnicate "$h264"
expect_rc 2 "help for an unknown command" help frobnicate

for cmd in probe frames decode validate sheet; do
    expect_rc 0 "$cmd --help" "$cmd" --help
    check "$cmd --help prints a usage line" grep -q "Usage: kzv $cmd" "$TMP/out"
    expect_rc 2 "$cmd without FILE" "$cmd"
    check "$cmd usage error says what is wrong" grep -q "kzv $cmd:" "$TMP/err"
    expect_rc 2 "$cmd with an unknown option" "$cmd" --no-such-option "$h264"
    expect_rc 2 "$cmd with two files" "$cmd" "$h264" "$h264"
done

expect_rc 2 "decode --frames without a number" decode "$h264" --frames
expect_rc 2 "decode --frames abc" decode "$h264" --frames abc
expect_rc 2 "decode --frames -1" decode "$h264" --frames -1
expect_rc 2 "decode --format bogus" decode "$h264" --format bogus
expect_rc 2 "decode PNG with a YUV format" decode "$h264" -o "$TMP/png" --format yuv420p
expect_rc 2 "decode y4m with an RGB format" decode "$h264" -o "$TMP/x.y4m" --format rgb24
expect_rc 2 "decode pattern with %s" decode "$h264" -o "$TMP/f-%s.png"
expect_rc 2 "decode pattern with two %d" decode "$h264" -o "$TMP/%d-%d.png"
expect_rc 2 "sheet without -o" sheet "$h264"
expect_rc 2 "sheet --cols 0" sheet "$h264" -o "$TMP/s.png" --cols 0
expect_rc 2 "sheet --width 10" sheet "$h264" -o "$TMP/s.png" --width 10
expect_rc 2 "probe --json=1 (flag takes no value)" probe --json=1 "$h264"

# Good files: 0.
expect_rc 0 "probe on a good file" probe "$h264"
expect_rc 0 "probe --json on a good file (options after FILE)" probe "$h264" --json
expect_rc 0 "frames on a good file" frames "$h264"
expect_rc 0 "decode on a good file" decode "$h264"
expect_rc 0 "decode -- FILE" decode -- "$h264"

# Input errors: 3 with a message naming the problem.
for cmd in probe frames decode validate; do
    expect_rc 3 "$cmd on a missing file" "$cmd" "$TMP/does-not-exist.mp4"
    check "$cmd missing-file message is not empty" test -s "$TMP/err"
done
expect_rc 3 "sheet on a missing file" sheet "$TMP/does-not-exist.mp4" -o "$TMP/s.png"
check "missing-file message says so" grep -Eiq 'no such file|not found' "$TMP/err"
for name in garbage.mp4 empty.mp4 text.mp4 audio_only.m4a truncated_moov.mp4 unsupported.avi; do
    f=$(fixture "$name")
    expect_rc 3 "probe $name" probe "$f"
    check "probe $name prints a message on stderr" grep -q 'kzv probe:' "$TMP/err"
    check "probe $name prints nothing on stdout" test ! -s "$TMP/out"
    expect_rc 3 "validate $name" validate "$f"
done
expect_rc 3 "decode into an unwritable place" decode "$h264" -o /proc/kzv-cannot-write/x.y4m --frames 1
cp "$h264" "$TMP/a-file"
expect_rc 3 "decode into a directory that is a file" decode "$h264" -o "$TMP/a-file" --frames 1

finish
