#!/usr/bin/env python3
# mov_stsz.py IN OUT K SIZE [HANDLER]: copy an MP4/MOV with the sample size
# of sample K (its stsz entry) of the track of HANDLER (soun, the default:
# audio; vide: video) set to SIZE, as a damaged file has it.
import sys, struct
src, dst, k, val = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0)
kind = (sys.argv[5] if len(sys.argv) > 5 else 'soun').encode()
b = bytearray(open(src, 'rb').read())
def boxes(off, end):
    while off + 8 <= end:
        size, typ = struct.unpack('>I4s', b[off:off+8])
        hdr = 8
        if size == 1: size = struct.unpack('>Q', b[off+8:off+16])[0]; hdr = 16
        if size == 0: size = end - off
        yield off, size, hdr, typ
        off += size
def find(off, end, path):
    for o, sz, h, t in boxes(off, end):
        if t == path[0]:
            if len(path) == 1: yield o, sz, h
            else: yield from find(o + h, o + sz, path[1:])
moov = next(find(0, len(b), [b'moov']))
for trak, sz, h in find(moov[0] + moov[2], moov[0] + moov[1], [b'trak']):
    hdlr = next(find(trak + h, trak + sz, [b'mdia', b'hdlr']))
    if b[hdlr[0] + hdlr[2] + 8: hdlr[0] + hdlr[2] + 12] != kind: continue
    st, ssz, sh = next(find(trak + h, trak + sz, [b'mdia', b'minf', b'stbl', b'stsz']))
    p = st + sh + 4
    fixed, count = struct.unpack('>II', b[p:p+8])
    assert fixed == 0 and k < count
    struct.pack_into('>I', b, p + 8 + 4 * k, val)
open(dst, 'wb').write(b)
