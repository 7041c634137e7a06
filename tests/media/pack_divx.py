#!/usr/bin/env python3
"""Turn an AVI with MPEG-4 Part 2 B-frames (as ffmpeg writes it: one VOP per
chunk, decode order) into a DivX-style "packed bitstream" AVI, the way the
DivX 5 / XviD Video for Windows codecs wrote them (one chunk in, one frame
out): each anchor (I/P VOP) followed by B-frames shares its chunk with the
first of them, the other B-frames keep a chunk each, and a not-coded VOP
(N-VOP) placeholder chunk follows the group, so the chunk count stays the
frame count. A DivX user data string ending in 'p' marks the stream packed
(FFmpeg's decoder and its mpeg4_unpack_bframes filter look for it).

    pack_divx.py IN.avi OUT.avi

Only what FFmpeg's AVI muxer writes is understood (one RIFF, one video
stream '00dc', an idx1 index). Used by tests/media/make_seek_fixtures.sh.
"""
import struct
import sys

VOP = b"\x00\x00\x01\xb6"
DIVX_PACKED = b"\x00\x00\x01\xb2DivX503b1393p"


class Bits:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos * 8

    def u(self, n):
        v = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]
            v = (v << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return v


def time_increment_bits(stream):
    """vop_time_increment's width, from the first VOL header in stream."""
    for code in range(0x20, 0x30):
        at = stream.find(b"\x00\x00\x01" + bytes([code]))
        if at >= 0:
            break
    else:
        raise SystemExit("pack_divx: no VOL header in the first chunk")
    b = Bits(stream, at + 4)
    b.u(1)                              # random_accessible_vol
    b.u(8)                              # video_object_type_indication
    verid = 1
    if b.u(1):                          # is_object_layer_identifier
        verid = b.u(4)
        b.u(3)
    if b.u(4) == 15:                    # aspect_ratio_info: extended PAR
        b.u(16)
    if b.u(1):                          # vol_control_parameters
        b.u(3)                          # chroma_format, low_delay
        if b.u(1):                      # vbv_parameters
            b.u(79)
    shape = b.u(2)
    if shape == 3 and verid != 1:
        b.u(4)
    b.u(1)                              # marker
    res = b.u(16)                       # vop_time_increment_resolution
    return max(1, (res - 1).bit_length())


def vop_type(chunk):
    at = chunk.find(VOP)
    return None if at < 0 else chunk[at + 4] >> 6    # 0 I, 1 P, 2 B, 3 S


def nvop(bframe, inc_bits):
    """A P-VOP with vop_coded = 0 carrying the time of `bframe`'s VOP."""
    at = bframe.find(VOP) + 4
    b = Bits(bframe, at)
    out = [0, 1]                         # vop_coding_type P
    b.u(2)
    while True:                          # modulo_time_base: 1s then a 0
        bit = b.u(1)
        out.append(bit)
        if not bit:
            break
    out += [b.u(1) for _ in range(inc_bits + 2)]   # marker, increment, marker
    out.append(0)                        # vop_coded
    out.append(0)                        # stuffing: a 0, then 1s to the byte end
    while len(out) % 8:
        out.append(1)
    body = bytes(int("".join(map(str, out[i:i + 8])), 2) for i in range(0, len(out), 8))
    return VOP + body


def chunks(data, off, end):
    while off + 8 <= end:
        cid = data[off:off + 4]
        size = struct.unpack("<I", data[off + 4:off + 8])[0]
        yield cid, off, size
        off += 8 + size + (size & 1)


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: pack_divx.py IN.avi OUT.avi")
    data = open(sys.argv[1], "rb").read()
    if data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        raise SystemExit("pack_divx: not an AVI file")
    movi = None
    for cid, off, size in chunks(data, 12, len(data)):
        if cid == b"LIST" and data[off + 8:off + 12] == b"movi":
            movi = (off, size)
    if movi is None:
        raise SystemExit("pack_divx: no movi list")
    frames = [data[off + 8:off + 8 + size]
              for cid, off, size in chunks(data, movi[0] + 12, movi[0] + 8 + movi[1]) if cid == b"00dc"]
    if not frames:
        raise SystemExit("pack_divx: no video chunks")
    inc_bits = time_increment_bits(frames[0])
    first = frames[0].find(VOP)
    frames[0] = frames[0][:first] + DIVX_PACKED + frames[0][first:]

    packed, i = [], 0           # (payload, keyframe)
    while i < len(frames):
        f = frames[i]
        nb = 0
        while i + 1 + nb < len(frames) and vop_type(frames[i + 1 + nb]) == 2:
            nb += 1
        if vop_type(f) == 2 or nb == 0:
            packed.append((f, vop_type(f) == 0))
            i += 1
            continue
        packed.append((f + frames[i + 1], vop_type(f) == 0))
        packed += [(b, False) for b in frames[i + 2:i + 1 + nb]]
        packed.append((nvop(frames[i + nb], inc_bits), False))
        i += 1 + nb
    assert len(packed) == len(frames), (len(packed), len(frames))

    body, idx = bytearray(b"movi"), bytearray()
    for payload, key in packed:
        idx += struct.pack("<4sIII", b"00dc", 0x10 if key else 0, len(body), len(payload))
        body += struct.pack("<4sI", b"00dc", len(payload)) + payload + (b"\0" if len(payload) & 1 else b"")
    out = bytearray(data[12:movi[0]])
    out += struct.pack("<4sI", b"LIST", len(body)) + body
    out += struct.pack("<4sI", b"idx1", len(idx)) + idx
    with open(sys.argv[2], "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(out) + 4) + b"AVI " + out)


main()
