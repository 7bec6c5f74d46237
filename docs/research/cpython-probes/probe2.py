import ctypes, sys, struct
api = ctypes.pythonapi
api.PyThreadState_Get.restype = ctypes.c_void_p
def q(a): return struct.unpack('<Q', ctypes.string_at(a, 8))[0]
def i32(a): return struct.unpack('<i', ctypes.string_at(a, 4))[0]
def b(a): return ctypes.string_at(a, 1)[0]
v = sys.version_info[:2]
ASCII = 48 if v == (3,11) else 40
def s(o):
    if not o: return None
    st = q(o+32) & 0xff
    if st & 0x60 != 0x60: return '<non-ascii/non-compact state %x>' % st
    return ctypes.string_at(o+ASCII, q(o+16)).decode()
CODE_T = id(type(s.__code__))
FC, PV, IP, OW = {(3,11):(32,48,56,69),(3,12):(0,8,56,70),(3,13):(0,8,56,70)}[v]
ADAPT = {(3,11):184,(3,12):192,(3,13):200}[v]
def walk(tag):
    ts = api.PyThreadState_Get()
    fr = q(q(ts+56)+8) if v==(3,11) else q(q(ts+56)) if v==(3,12) else q(ts+72)
    print(tag)
    while fr:
        c = q(fr+FC); own = b(fr+OW)
        tp = q(c+8) if c else 0
        if tp == CODE_T:
            lasti = (q(fr+IP) - (c+ADAPT)) // 2
            d = '%s %s:%d lasti=%d' % (s(q(c+128)), s(q(c+112)), i32(c+68 if v!=(3,11) else c+72), lasti)
        else:
            d = 'NOT CODE (type %s, None? %s)' % (hex(tp), c == id(None))
        print('   owner=%d%s %s' % (own, ' is_entry' if v==(3,11) and b(fr+68) else '', d))
        fr = q(fr+PV)
class K:
    def __init__(self): walk('-- inside __init__ via K()')
def gen():
    yield walk('-- inside generator via list()')
def key(x):
    walk('-- inside sorted key (C->Python)'); return x
def outer():
    K(); list(gen()); sorted([1], key=key)
outer()

N = [0]
class J:
    def __init__(self):
        N[0] += 1
        if N[0] == 300: walk('-- inside __init__ after warm-up (specialized CALL)')
def many():
    for _ in range(300): J()
many()
