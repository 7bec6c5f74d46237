import ctypes, sys, threading, struct
api = ctypes.pythonapi
api.PyThreadState_Get.restype = ctypes.c_void_p
api.PyInterpreterState_Get.restype = ctypes.c_void_p
def q(a): return struct.unpack('<Q', ctypes.string_at(a, 8))[0]
def i32(a): return struct.unpack('<i', ctypes.string_at(a, 4))[0]
def b(a): return ctypes.string_at(a, 1)[0]
rt = ctypes.addressof(ctypes.c_char.in_dll(api, '_PyRuntime'))
v = sys.version_info[:2]
RH, IT, TN, NT, TID = {(3,11):(40,16,8,160,152),(3,12):(40,72,8,144,136),(3,13):(632,7344,8,160,152)}[v]
interp = q(rt+RH); ts = q(interp+IT)
print(v, 'interp ok', interp == api.PyInterpreterState_Get(), 'tstate head ok', ts == api.PyThreadState_Get(),
      'native id ok', q(ts+NT) == threading.get_native_id(), 'thread_id ok', q(ts+TID) == threading.get_ident())
if v == (3,11): fr = q(q(ts+56)+8); FC, PV, OW = 32, 48, 69
elif v == (3,12): fr = q(q(ts+56)+0); FC, PV, OW = 0, 8, 70
else: fr = q(ts+72); FC, PV, OW = 0, 8, 70
def f(): return sys._getframe()
code = sys._getframe().f_code
n = 0
while fr and n < 10:
    c = q(fr+FC)
    tp = q(c+8) if c else 0
    desc = ''
    if c and tp == id(type(code)):
        nm = q(c + {(3,11):104,(3,12):104,(3,13):120}[v])  # co_name (checked below)
        desc = ctypes.cast(nm+40, ctypes.c_char_p).value
    print('  frame', hex(fr), 'code', hex(c), 'is code obj', tp == id(type(code)), 'this code', c == id(code), 'owner', b(fr+OW), desc,
          'is_entry' if v==(3,11) and b(fr+68) else '')
    fr = q(fr+PV); n += 1
