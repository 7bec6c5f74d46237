import ctypes, struct, sys
def u32(a): return struct.unpack('<I', ctypes.string_at(a, 4))[0]
out = [sys.version.split()[0]]
for s in ['hello', 'h\xe9llo', '\u4e2d', '\U0001F600']:
    out.append('%r state=0x%02x size=%d' % (s, u32(id(s)+32) & 0xff, sys.getsizeof(s)))
out.append('getsizeof(b"")=%d' % sys.getsizeof(b''))
print('; '.join(out))
