"""rotate_mp4.py IN OUT CW WIDTH HEIGHT: copy the mp4 IN to OUT with a tkhd
display matrix that shows it turned CW (90, 180, 270) degrees clockwise, as
a phone writes it. Used by tests/cli/rotate.sh and tests/play/rotate.sh (the
system ffmpeg may not have -display_rotation)."""
import struct
import sys

data = bytearray(open(sys.argv[1], "rb").read())
cw, w, h, one = int(sys.argv[3]), int(sys.argv[4]) << 16, int(sys.argv[5]) << 16, 0x10000
m = {90: [0, one, 0, -one, 0, 0, h, 0, 0x40000000],
     180: [-one, 0, 0, 0, -one, 0, w, h, 0x40000000],
     270: [0, -one, 0, one, 0, 0, 0, w, 0x40000000]}[cw]
i = data.find(b"tkhd")
off = i - 4 + (60 if data[i + 4] == 1 else 48)
data[off:off + 36] = struct.pack(">9i", *m)
open(sys.argv[2], "wb").write(data)
