#!/usr/bin/env bash
# Generate kzv's hostile-input corpus: broken, truncated, bit-flipped,
# mislabelled and lying media files made from a few good fixtures.
#
#   tests/hostile/make_corpus.sh SRC_DIR OUT_DIR
#
# SRC_DIR holds the fixtures of tests/media/make_fixtures.sh (h264.mp4,
# hevc10.mkv, vp9.webm, av1.mkv, mpeg4.avi, reschange.ts; missing ones are
# skipped with a note). OUT_DIR receives the corpus and OUT_DIR/MANIFEST.tsv,
# one line per file: name <TAB> kind <TAB> source <TAB> detail. Kinds:
#   good      an unmodified (or losslessly remuxed) source
#   trunc     the source cut at a byte offset (detail: the offset)
#   flip      bits flipped at random (detail: density, seed, spare=first KiB kept)
#   garbage   the first N bytes replaced by random bytes
#   damage    a block zeroed, randomised, cut out or duplicated mid-file
#   zeros     a file of N zero bytes
#   ext       a good file under another container's extension
#   absurd    a header (container or bitstream) claiming a huge picture size
#             (detail: WxH and which field)
#
# Deterministic (fixed seeds; ffmpeg used only for bitexact stream copies) and
# idempotent: a corpus whose stamp matches the sources and this script is kept
# as it is. Needs python3; ffmpeg for the raw-stream variants (skipped without).
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SRC_DIR OUT_DIR" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
command -v python3 >/dev/null || { echo "make_corpus: python3 not found" >&2; exit 1; }

sources=(h264.mp4 hevc10.mkv vp9.webm av1.mkv mpeg4.avi reschange.ts)
# Stamp: this script's contents plus each source's size and mtime.
stamp=$( { cat "$0"; for s in "${sources[@]}"; do stat -c '%n %s %Y' "$src/$s" 2>/dev/null || echo "$s missing"; done; } | cksum)
if [ -f "$out/MANIFEST.tsv" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "make_corpus: $out is up to date ($(($(wc -l <"$out/MANIFEST.tsv") - 1)) files)"
    exit 0
fi

work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Raw elementary streams / IVF remuxed from the fixtures (bitstream-level
# patching needs Annex B, and IVF is a container of its own).
if command -v ffmpeg >/dev/null; then
    FF=(ffmpeg -nostdin -hide_banner -loglevel error -y -fflags +bitexact)
    [ -f "$src/h264.mp4" ] && "${FF[@]}" -i "$src/h264.mp4" -map 0:v:0 -c copy -f h264 "$work/h264_annexb.h264" || true
    [ -f "$src/hevc10.mkv" ] && "${FF[@]}" -i "$src/hevc10.mkv" -map 0:v:0 -c copy -f hevc "$work/hevc10_annexb.hevc" || true
    [ -f "$src/vp9.webm" ] && "${FF[@]}" -i "$src/vp9.webm" -map 0:v:0 -c copy -f ivf "$work/vp9.ivf" || true
else
    echo "make_corpus: ffmpeg not found; raw-stream variants skipped" >&2
fi

python3 - "$src" "$work" "${sources[@]}" <<'PY'
import os, random, struct, sys

src, work, names = sys.argv[1], sys.argv[2], sys.argv[3:]
manifest = []

def put(name, data, kind, source, detail=""):
    with open(os.path.join(work, name), "wb") as f:
        f.write(data)
    manifest.append((name, kind, source, detail))

def stem_ext(n):
    s, e = os.path.splitext(n)
    return s, e

goods = {}
for n in names:
    p = os.path.join(src, n)
    if not os.path.exists(p):
        print(f"make_corpus: {n} missing in {src}, skipped", file=sys.stderr)
        continue
    goods[n] = open(p, "rb").read()
derived = {}
for n in ("h264_annexb.h264", "hevc10_annexb.hevc", "vp9.ivf"):
    p = os.path.join(work, n)
    if os.path.exists(p):
        derived[n] = open(p, "rb").read()
        os.unlink(p)

for n, d in list(goods.items()) + list(derived.items()):
    put("good_" + n, d, "good", n)

# ---------------------------------------------------------------- per source
PCTS = (10, 20, 30, 40, 50, 60, 70, 80, 90, 95)
for si, (n, d) in enumerate(goods.items()):
    s, e = stem_ext(n)
    size = len(d)
    # truncations
    offs = [0, 1, 7, 100, 1024, 4096] + [size * p // 100 for p in PCTS]
    seen = set()
    for o in offs:
        if o >= size or o in seen:
            continue
        seen.add(o)
        put(f"trunc_{s}_{o}{e}", d[:o], "trunc", n, str(o))
    # bit flips
    for dens_name, dens in (("1e-5", 1e-5), ("1e-4", 1e-4), ("1e-3", 1e-3)):
        for seed in (1, 2, 3):
            for spare in (0, 1):
                rng = random.Random(f"flip/{n}/{dens_name}/{seed}/{spare}")
                b = bytearray(d)
                lo = 1024 * 8 if spare else 0
                nflip = max(1, round(size * 8 * dens))
                for _ in range(nflip):
                    bit = rng.randrange(lo, size * 8)
                    b[bit >> 3] ^= 1 << (bit & 7)
                put(f"flip_{s}_{dens_name}_s{seed}{'_spare' if spare else ''}{e}", bytes(b), "flip", n,
                    f"density={dens_name} seed={seed} spare={spare}")
    # garbage headers
    for gn in (16, 64, 512, 4096):
        rng = random.Random(f"garbage/{n}/{gn}")
        put(f"garbage_{s}_{gn}{e}", bytes(rng.getrandbits(8) for _ in range(gn)) + d[gn:], "garbage", n, str(gn))
    # mid-file damage
    rng = random.Random(f"damage/{n}")
    at = size // 2
    put(f"damage_{s}_zero4k{e}", d[:at] + bytes(4096) + d[at + 4096:], "damage", n, f"zero 4096 at {at}")
    at = size * 3 // 10
    put(f"damage_{s}_rand4k{e}", d[:at] + bytes(rng.getrandbits(8) for _ in range(4096)) + d[at + 4096:],
        "damage", n, f"random 4096 at {at}")
    at = size * 4 // 10
    put(f"damage_{s}_cut8k{e}", d[:at] + d[at + 8192:], "damage", n, f"cut 8192 at {at}")
    at = size * 6 // 10
    put(f"damage_{s}_dup8k{e}", d[:at] + d[at - 8192:at] + d[at:], "damage", n, f"duplicate 8192 at {at}")

# ---------------------------------------------------------------- zero files
for zs in (1, 16, 188, 512, 4096, 65536):
    for ext in (".mp4", ".mkv", ".ts"):
        put(f"zeros_{zs}{ext}", bytes(zs), "zeros", "-", str(zs))
put("zeros_1048576.ts", bytes(1 << 20), "zeros", "-", str(1 << 20))

# ---------------------------------------------------------------- wrong extensions
for n, newext in (("hevc10.mkv", ".mp4"), ("h264.mp4", ".avi"), ("reschange.ts", ".webm"),
                  ("mpeg4.avi", ".mkv"), ("vp9.webm", ".ts"), ("av1.mkv", ".avi"),
                  ("vp9.ivf", ".mp4"), ("h264_annexb.h264", ".mkv"), ("hevc10_annexb.hevc", ".mp4")):
    d = goods.get(n) or derived.get(n)
    if d is not None:
        put(f"ext_{stem_ext(n)[0]}_as{newext}", d, "ext", n, newext)

# ---------------------------------------------------------------- absurd sizes
def mp4_boxes(d, off, end, path, found):
    while off + 8 <= end:
        sz, typ = struct.unpack(">I4s", d[off:off + 8])
        if sz < 8 or off + sz > end:
            break
        typ = typ.decode("latin1")
        found.setdefault(typ, off)
        if typ in ("moov", "trak", "mdia", "minf", "stbl"):
            mp4_boxes(d, off + 8, off + sz, path + [typ], found)
        elif typ == "stsd":
            mp4_boxes(d, off + 16, off + sz, path + [typ], found)
        off += sz
    return found

if "h264.mp4" in goods:
    d = goods["h264.mp4"]
    box = mp4_boxes(d, 0, len(d), [], {})
    avc1, tkhd = box.get("avc1"), box.get("tkhd")
    assert avc1 and tkhd and d[tkhd + 8] == 0, "unexpected h264.mp4 layout"
    assert struct.unpack(">HH", d[avc1 + 32:avc1 + 36]) == (320, 240)
    def mp4_patch(w, h, where):
        b = bytearray(d)
        if "avc1" in where:
            b[avc1 + 32:avc1 + 36] = struct.pack(">HH", w, h)
        if "tkhd" in where:
            b[tkhd + 84:tkhd + 92] = struct.pack(">II", (w << 16) & 0xffffffff, (h << 16) & 0xffffffff)
        return bytes(b)
    for w, h, where in ((65535, 65535, "avc1"), (30000, 30000, "avc1"), (16000, 16000, "avc1"),
                        (8192, 8193, "avc1"), (30000, 30000, "tkhd"), (30000, 30000, "avc1+tkhd"),
                        (65535, 1, "avc1")):
        put(f"absurd_h264_{where.replace('+', '_')}_{w}x{h}.mp4", mp4_patch(w, h, where), "absurd",
            "h264.mp4", f"{w}x{h} mp4 {where}")

def ebml_uint(eid, v):
    n = max(1, (v.bit_length() + 7) // 8)
    return eid + bytes([0x80 | n]) + v.to_bytes(n, "big")

def mkv_patch(d, w, h):
    """Rewrite the Video master element's content as PixelWidth, PixelHeight
    and an EBML Void filling the rest (same length: nothing else moves)."""
    i = d.find(b"\xb0\x82\x01\x40")
    assert i >= 2 and d[i - 2] == 0xE0 and d[i - 1] & 0x80, "unexpected Video element"
    clen = d[i - 1] & 0x7F
    body = ebml_uint(b"\xb0", w) + ebml_uint(b"\xba", h)
    pad = clen - len(body)
    assert 2 <= pad < 0x80
    body += b"\xec" + bytes([0x80 | (pad - 2)]) + bytes(pad - 2)
    return d[:i] + body + d[i + clen:]

for n in ("hevc10.mkv", "av1.mkv", "vp9.webm"):
    if n not in goods:
        continue
    s, e = stem_ext(n)
    for w, h in ((30000, 30000), (65535, 65535), (16000, 16000), (1, 65535), (100000, 100000)):
        put(f"absurd_{s}_mkv_{w}x{h}{e}", mkv_patch(goods[n], w, h), "absurd", n, f"{w}x{h} matroska PixelWidth/PixelHeight")

if "mpeg4.avi" in goods:
    d = goods["mpeg4.avi"]
    avih, strf = d.find(b"avih"), d.find(b"strf")
    assert struct.unpack("<II", d[avih + 40:avih + 48]) == (320, 240)
    assert struct.unpack("<ii", d[strf + 12:strf + 20]) == (320, 240)
    def avi_patch(w, h, where):
        b = bytearray(d)
        if "avih" in where:
            b[avih + 40:avih + 48] = struct.pack("<ii", w, h)
        if "strf" in where:
            b[strf + 12:strf + 20] = struct.pack("<ii", w, h)
        return bytes(b)
    for w, h, where in ((30000, 30000, "avih+strf"), (65535, 65535, "strf"), (30000, -30000, "strf"),
                        (2147483647, 2147483647, "avih+strf")):
        put(f"absurd_mpeg4_{where.replace('+', '_')}_{w}x{h}.avi", avi_patch(w, h, where), "absurd",
            "mpeg4.avi", f"{w}x{h} avi {where}")

# VP9 uncompressed header of the first (key) frame, profile 0: byte 0x82, sync
# code 49 83 42, colour space (3 bits) + range (1 bit), then width-1 and
# height-1 as 16-bit fields: a fixed-size patch the decoder really sees.
def vp9_patch(d, w, h):
    i = d.find(b"\x82\x49\x83\x42")
    assert i >= 0
    bits = int.from_bytes(d[i + 4:i + 9], "big")      # 40 bits: 4 + 16 + 16 + 4
    ow, oh = (bits >> 20) & 0xFFFF, (bits >> 4) & 0xFFFF
    assert (ow, oh) == (319, 239), (ow, oh)
    bits = (bits & ~(0xFFFFFFFF << 4)) | (((w - 1) << 16 | (h - 1)) << 4)
    return d[:i + 4] + bits.to_bytes(5, "big") + d[i + 9:]

if "vp9.ivf" in derived:
    d = derived["vp9.ivf"]
    assert d[:4] == b"DKIF" and struct.unpack("<HH", d[12:16]) == (320, 240)
    put("absurd_vp9_ivfhdr_30000x30000.ivf", d[:12] + struct.pack("<HH", 30000, 30000) + d[16:], "absurd",
        "vp9.ivf", "30000x30000 ivf header")
    for w, h in ((16000, 16000), (65536, 65536), (8192, 8200)):
        put(f"absurd_vp9_frame_{w}x{h}.ivf", vp9_patch(d, w, h), "absurd", "vp9.ivf", f"{w}x{h} vp9 frame header")
        put(f"absurd_vp9_frame_hdr_{w}x{h}.ivf", vp9_patch(d[:12] + struct.pack("<HH", w & 0xFFFF, h & 0xFFFF) + d[16:], w, h),
            "absurd", "vp9.ivf", f"{w}x{h} vp9 frame header + ivf header")
if "vp9.webm" in goods:
    for w, h in ((16000, 16000), (65536, 65536)):
        put(f"absurd_vp9_frame_{w}x{h}.webm", vp9_patch(goods["vp9.webm"], w, h), "absurd", "vp9.webm",
            f"{w}x{h} vp9 frame header")
    d = mkv_patch(goods["vp9.webm"], 16000, 16000)
    put("absurd_vp9_frame_mkv_16000x16000.webm", vp9_patch(d, 16000, 16000), "absurd", "vp9.webm",
        "16000x16000 vp9 frame header + matroska")

# ---- H.264 / HEVC sequence parameter sets (exp-Golomb: sizes change, so
# Annex B streams only, where a NAL unit may grow).
class BR:
    def __init__(self, b): self.b, self.p = b, 0
    def u(self, n):
        v = 0
        for _ in range(n):
            v = (v << 1) | ((self.b[self.p >> 3] >> (7 - (self.p & 7))) & 1)
            self.p += 1
        return v
    def ue(self):
        z = 0
        while self.u(1) == 0:
            z += 1
        return (1 << z) - 1 + self.u(z)

class BW:
    def __init__(self): self.bits = []
    def u(self, n, v): self.bits += [(v >> (n - 1 - k)) & 1 for k in range(n)]
    def ue(self, v):
        v += 1
        n = v.bit_length()
        self.u(n - 1, 0); self.u(n, v)
    def copy(self, br, n): self.u(n, br.u(n)) if n else None

def unescape(b):
    o, z = bytearray(), 0
    for x in b:
        if z >= 2 and x == 3:
            z = 0
            continue
        o.append(x)
        z = z + 1 if x == 0 else 0
    return bytes(o)

def escape(b):
    o, z = bytearray(), 0
    for x in b:
        if z >= 2 and x <= 3:
            o.append(3); z = 0
        o.append(x)
        z = z + 1 if x == 0 else 0
    return bytes(o)

def rewrite_rbsp(rbsp, hdr_bytes, parse_to_size, new_vals):
    """Copy rbsp, replacing two consecutive ue(v) fields located by parse_to_size."""
    br = BR(rbsp)
    br.p = hdr_bytes * 8
    parse_to_size(br)
    start = br.p
    old = (br.ue(), br.ue())
    end = br.p
    total = len(rbsp) * 8
    # drop trailing zero bytes' bits beyond the stop bit: keep rbsp trailing as is
    bw = BW()
    r2 = BR(rbsp)
    bw.copy(r2, start)
    bw.ue(new_vals[0]); bw.ue(new_vals[1])
    r2.p = end
    rest = total - end
    # copy the remaining bits, then strip the old stop bit + alignment and redo it
    tail = [r2.u(1) for _ in range(rest)]
    while tail and tail[-1] == 0:
        tail.pop()
    if tail:
        tail.pop()          # the rbsp stop bit
    bw.bits += tail + [1]
    while len(bw.bits) % 8:
        bw.bits.append(0)
    out = bytes(int("".join(map(str, bw.bits[i:i + 8])), 2) for i in range(0, len(bw.bits), 8))
    return out, old

H264_HIGH = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
def h264_to_size(br):
    prof = br.u(8); br.u(16); br.ue()
    if prof in H264_HIGH:
        cf = br.ue()
        if cf == 3: br.u(1)
        br.ue(); br.ue(); br.u(1)
        assert br.u(1) == 0, "scaling matrix not handled"
    br.ue()
    poc = br.ue()
    if poc == 0: br.ue()
    assert poc != 1, "poc type 1 not handled"
    br.ue(); br.u(1)

def hevc_to_size(br):
    br.u(4); msl = br.u(3); br.u(1)
    assert msl == 0, "sub-layers not handled"
    br.u(96)
    br.ue()
    if br.ue() == 3: br.u(1)

def patch_annexb(d, is_sps, hdr_bytes, to_size, vals):
    """Rewrite every SPS NAL of an Annex B stream."""
    out, i, n = bytearray(), 0, 0
    starts = []
    j = d.find(b"\x00\x00\x01")
    while j >= 0:
        starts.append(j + 3)
        j = d.find(b"\x00\x00\x01", j + 3)
    prev = 0
    for k, s in enumerate(starts):
        e = starts[k + 1] - 3 if k + 1 < len(starts) else len(d)
        nal = d[s:e]
        # the next start code may be 4 bytes (00 00 00 01): keep that zero
        trail = b""
        while nal.endswith(b"\x00") and k + 1 < len(starts):
            nal, trail = nal[:-1], trail + b"\x00"
        out += d[prev:s]
        if nal and is_sps(nal):
            rbsp, old = rewrite_rbsp(unescape(nal), hdr_bytes, to_size, vals)
            nal = escape(rbsp)
            n += 1
        out += nal + trail
        prev = e
    out += d[prev:]
    assert n > 0, "no SPS found"
    return bytes(out)

if "h264_annexb.h264" in derived:
    d = derived["h264_annexb.h264"]
    for w, h in ((16000, 16000), (30000, 30000), (8192, 8208), (65520, 16)):
        p = patch_annexb(d, lambda nal: nal[0] & 0x1F == 7, 1, h264_to_size, (w // 16 - 1, h // 16 - 1))
        put(f"absurd_h264_sps_{w}x{h}.h264", p, "absurd", "h264_annexb.h264", f"{w}x{h} h264 SPS")
if "hevc10_annexb.hevc" in derived:
    d = derived["hevc10_annexb.hevc"]
    for w, h in ((16000, 16000), (30000, 30000), (8448, 8448)):
        p = patch_annexb(d, lambda nal: (nal[0] >> 1) & 0x3F == 33, 2, hevc_to_size, (w, h))
        put(f"absurd_hevc10_sps_{w}x{h}.hevc", p, "absurd", "hevc10_annexb.hevc", f"{w}x{h} hevc SPS")

with open(os.path.join(work, "MANIFEST.tsv"), "w") as f:
    f.write("name\tkind\tsource\tdetail\n")
    for row in manifest:
        f.write("\t".join(row) + "\n")
PY

# Replace the previous corpus (only files this script makes) atomically per file.
find "$out" -maxdepth 1 -type f \( -name 'good_*' -o -name 'trunc_*' -o -name 'flip_*' -o -name 'garbage_*' \
    -o -name 'damage_*' -o -name 'zeros_*' -o -name 'ext_*' -o -name 'absurd_*' \) -delete
rm -f "$out/MANIFEST.tsv" "$out/.stamp"
mv "$work"/* "$out"/
mv "$out/MANIFEST.tsv" "$out/MANIFEST.tsv.tmp" && mv "$out/MANIFEST.tsv.tmp" "$out/MANIFEST.tsv"
echo "$stamp" >"$out/.stamp"
echo "make_corpus: $(($(wc -l <"$out/MANIFEST.tsv") - 1)) files, $(du -sh "$out" | cut -f1) in $out"
