# A full disk: the output goes to a tiny tmpfs. kzv transcode must fail with
# exit 4 and a clear error, and leave nothing behind. Mounting needs root
# (or a user namespace): exit 77 (skipped) when that is not permitted.
. "$(dirname "$0")/lib.sh"

MNT=$TMP/mnt
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null; then
    echo "SKIP: cannot mount a tmpfs here (needs root)"
    exit 77
fi
trap 'umount "$MNT" 2>/dev/null; rm -rf "$TMP"' EXIT
( cd "$TMP" && ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=2 -f lavfi -i sine=d=2 \
    -c:v libx264 -preset ultrafast -c:a aac -b:a 32k src.mkv )
expect_rc 4 "full disk" transcode --preset ultrafast --crf 0 "$TMP/src.mkv" "$MNT/out.mkv"
err_says "No space left on device"
only_files "$MNT" 0
finish
