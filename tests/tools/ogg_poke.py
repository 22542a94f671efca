#!/usr/bin/env python3
# ogg_poke.py IN OUT MARK OFF: copy an Ogg file with the byte OFF bytes after
# the first MARK (e.g. "\x82theora", a setup header) inverted and that
# page's CRC made right again: damage a demuxer reads on past, as a
# decoder then sees it.
import sys, struct
src, dst, mark, off = sys.argv[1], sys.argv[2], sys.argv[3].encode('latin1').decode('unicode_escape').encode('latin1'), int(sys.argv[4])
b = bytearray(open(src, 'rb').read())
at = b.index(mark) + off
b[at] ^= 0xff
def crc(data):
    c = 0
    for x in data:
        c ^= x << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04c11db7) & 0xffffffff if c & 0x80000000 else (c << 1) & 0xffffffff
    return c
page = b.rindex(b'OggS', 0, at)
nseg = b[page + 26]
size = 27 + nseg + sum(b[page + 27: page + 27 + nseg])
struct.pack_into('<I', b, page + 22, 0)
struct.pack_into('<I', b, page + 22, crc(b[page: page + size]))
open(dst, 'wb').write(b)
