#!/usr/bin/env bash
# kzv play's command line is parsed as every other command's (getopt_long,
# tools/args.c): a bad option or value exits 2 with one line saying what is
# wrong (and the --help hint), nothing on stdout; long names may be
# abbreviated; the shared --stream/--hw/--threads/--[no-]autorotate are there
# and in --help (issue #16). errors.sh: the exit codes of the older options.
. "$(dirname "$0")/common.sh"
python3() { /usr/bin/python3 "$@"; }   # the system one (see streams.sh)
f=$(fixture h264.mp4)

# usage_error DESC PATTERN ARGS…: exit 2, nothing on stdout, on stderr
# "kzv play: <what>" matching PATTERN and then only the --help hint
usage_error() {
    local desc=$1 pat=$2; shift 2
    expect_rc 2 "$desc" play "$@"
    check "$desc: nothing on stdout" test ! -s "$TMP/out"
    check "$desc: one line saying what is wrong ($(head -1 "$TMP/err"))" \
        grep -Eq "^kzv play: .*$pat" <(head -1 "$TMP/err")
    check "$desc: then only the --help hint" \
        test "$(wc -l <"$TMP/err")" -eq 2 -a "$(sed -n 2p "$TMP/err")" = "Try 'kzv play --help'."
}
usage_error "unknown option" "option '--no-such-option'" "$f" --headless --no-such-option
usage_error "unknown short option" "option '-x'" "$f" --headless -x
usage_error "ambiguous abbreviation (--s: size, snapshot, speed, start-paused, stream)" \
    "option '--s'" "$f" --headless --s 1
usage_error "flag with a value" "'--headless' takes no value" "$f" --headless=yes
usage_error "--no-autorotate with a value" "'--no-autorotate' takes no value" "$f" --headless \
    --no-autorotate=1
usage_error "missing value at the end" "'--snapshot' needs a value" "$f" --headless --snapshot
usage_error "--stream x" "--stream needs a stream index" "$f" --headless --stream x
usage_error "--stream -1" "--stream needs a stream index" "$f" --headless --stream -1
usage_error "--hw bogus" "--hw: unknown device type 'bogus'" "$f" --headless --hw bogus
usage_error "--threads 2000" "--threads needs a number" "$f" --headless --threads 2000
usage_error "--frames 0" "--frames needs a number >= 1" "$f" --headless --frames 0
usage_error "-n abc" "--frames needs a number >= 1" "$f" --headless -n abc
usage_error "--queue 0" "--queue needs a number" "$f" --headless --queue 0
usage_error "--speed 0" "--speed needs a number" "$f" --headless --speed 0
usage_error "--late-ms -1" "--late-ms needs a number" "$f" --headless --late-ms -1
usage_error "--duration 0" "--duration needs a number" "$f" --headless --duration 0
usage_error "--size 10" "--size needs WxH" "$f" --headless --size 10
usage_error "--uploader bogus" "--uploader must be gl or memory" "$f" --headless --uploader bogus
usage_error "--gl-path bogus" "--gl-path must be rgb or yuv" "$f" --headless --gl-path bogus
usage_error "--policy bogus" "--policy must be drop or block" "$f" --headless --policy bogus
usage_error "no FILE" "no FILE given" --headless
usage_error "two FILEs" "more than one FILE given" "$f" "$f" --headless
usage_error "--hold-last --headless" "--hold-last needs a window" "$f" --headless --hold-last

# what getopt_long accepts: abbreviations, --opt=value, -nN, options before
# and after FILE, -- before a FILE
expect_rc 0 "abbreviated long options (--headl --fas --upl memory --fr=3)" play "$f" --headl --fas \
    --upl memory --fr=3
check "--fr=3: 3 frames" test "$(jget presented)" -eq 3
expect_rc 0 "-n2 before FILE" play --headless --fast --uploader=memory -n2 "$f"
check "-n2: 2 frames" test "$(jget presented)" -eq 2
expect_rc 0 "-- FILE" play --headless --fast --uploader memory --frames 1 -- "$f"
expect_rc 0 "--hw none --threads 1 --stream 0 --no-autorotate" play "$f" --headless --fast \
    --uploader memory --frames 2 --hw none --threads 1 --stream 0 --no-autorotate

# --help: every option, the new ones included; kzv --help names play
expect_rc 0 "play --help" play --help
for o in --headless --fast --uploader --gl-path --verify --queue --policy --late-ms --speed \
         --frames --duration --size --render --hold-last --snapshot --start-paused --stream \
         --autorotate --no-autorotate --threads --hw; do
    check "play --help lists $o" grep -q -- "^ *\(-n, \)\?$o\b" "$TMP/out"
done
check "play --help documents width/height in the JSON" grep -q "width and height" "$TMP/out"
expect_rc 0 "kzv help play" help play
check "kzv help play is play's usage" grep -q "Usage: kzv play" "$TMP/out"
expect_rc 0 "kzv --help" --help
check "kzv --help: play takes --no-autorotate too" grep -q "decode, sheet and play also --no-autorotate" \
    "$TMP/out"
finish
