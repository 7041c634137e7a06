#!/usr/bin/env bash
# validate: 0 on good files, 1 when a check fails (size change, lying header
# count), valid --json report.
. "$(dirname "$0")/lib.sh"

for name in h264.mp4 hevc10.mkv vp9.webm vfr.mkv startoffset.mp4 mpeg4.avi odd.mp4 odd420.webm \
            h264_422.mkv rotate90.mp4; do
    f=$(fixture "$name")
    expect_rc 0 "validate $name" validate "$f"
    check "$name: 4 PASS lines" test "$(grep -c '^  PASS ' "$TMP/out")" -eq 4
done

f=$(fixture h264.mp4)
expect_rc 0 "validate --json h264.mp4" validate --json "$f"
check "--json is valid JSON" json_valid "$TMP/out"
check "--json: ok true, 50 frames, checks named" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
names=[c["name"] for c in j["checks"]]
sys.exit(not (j["ok"] is True and j["frames"]==50 and j["file"].endswith("h264.mp4")
    and names==["order","frame_count","size_format","decode"]
    and all(c["ok"] is True and c["detail"] for c in j["checks"])))' "$TMP/out"

# Mid-stream resolution change: the size check fails and names the frame.
f=$(fixture reschange.ts)
expect_rc 1 "validate reschange.ts fails" validate "$f"
check "reschange: size_format FAIL names frame 25 and 480x270" \
    grep -Eq '^  FAIL  size_format +frame 25 is 480x270' "$TMP/out"
check "reschange: order and frame_count still PASS" bash -c \
    "grep -q 'PASS  order' '$TMP/out' && grep -q 'PASS  frame_count' '$TMP/out'"
expect_rc 1 "validate --json reschange.ts" validate --json "$f"
check "reschange --json: valid, ok false, size_format not ok" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
c={c["name"]:c for c in j["checks"]}
sys.exit(not (j["ok"] is False and c["size_format"]["ok"] is False and c["order"]["ok"] is True))' "$TMP/out"

# Truncated file whose header still claims the full count: frame loss.
f=$(fixture truncated.mp4)
hdr=$(ffprobe_stream "$f" nb_frames)
expect_rc 1 "validate truncated.mp4 (header says $hdr frames) fails" validate "$f"
check "truncated: frame_count FAIL mentions the header count" \
    grep -Eq "^  FAIL  frame_count .*header says $hdr" "$TMP/out"

# The same made here from h264.mp4: a faststart copy cut at 80% keeps a
# header that claims 50 frames while fewer are in the file.
src=$(fixture h264.mp4)
ffmpeg -nostdin -v error -i "$src" -c copy -movflags +faststart "$TMP/fs.mp4"
size=$(stat -c %s "$TMP/fs.mp4")
head -c $((size * 8 / 10)) "$TMP/fs.mp4" >"$TMP/cut.mp4"
expect_rc 1 "validate on an MP4 cut at 80%" validate --json "$TMP/cut.mp4"
check "cut.mp4 --json: valid, frame_count not ok" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
c={c["name"]:c for c in j["checks"]}
sys.exit(not (j["ok"] is False and c["frame_count"]["ok"] is False and j["header_frames"]==50))' "$TMP/out"

# Corrupt packets in the middle: reported as warnings; JSON stays valid.
f=$(fixture corrupt_mid.mkv)
run_kzv validate --json --threads 1 "$f"   # frame threads make FFmpeg report concealment unreliably
check "corrupt_mid: exit 0 or 1 (got $RC)" test "$RC" -le 1
check "corrupt_mid --json is valid JSON" json_valid "$TMP/out"
check "corrupt_mid: warnings count corrupt packets or damaged frames" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
s=j["stats"]
sys.exit(not ((s["corrupt_packets"] > 0 or s["corrupt_frames"] > 0) and j["warnings"]))' "$TMP/out"

# --seeks N: exact access proven by random seeks compared with sequential
# decoding. MPEG-4 Part 2 with B-frames in AVI (only the B-frames get a pts):
# sequential decoding and the other checks were always right on it while
# every exact seek past the first keyframe gave the next frame (issue #17).
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25:duration=2 -c:v mpeg4 -bf 2 -q:v 3 \
    "$TMP/bf.avi"
expect_rc 0 "validate --seeks 60 on MPEG-4 -bf 2 in AVI" validate --seeks 60 "$TMP/bf.avi"
check "bf.avi: 5 PASS lines, seeks among them" bash -c \
    "test \$(grep -c '^  PASS ' '$TMP/out') -eq 5 && grep -Eq '^  PASS  seeks +60 random exact seeks \(seed 1\)' '$TMP/out'"
expect_rc 0 "validate --seeks 40 --seed 9 --json" validate --seeks 40 --seed 9 --json "$(fixture h264.mp4)"
check "--json: a seeks check, ok, naming its seed" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
c={c["name"]:c for c in j["checks"]}
sys.exit(not (j["ok"] is True and c["seeks"]["ok"] is True and "seed 9" in c["seeks"]["detail"]))' "$TMP/out"
expect_rc 2 "validate --seeks -1 is a usage error" validate --seeks -1 "$TMP/bf.avi"
expect_rc 2 "validate --seed x is a usage error" validate --seeks 1 --seed x "$TMP/bf.avi"

finish
