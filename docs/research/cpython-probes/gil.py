import ctypes, sys, struct
api = ctypes.pythonapi
api.PyThreadState_Get.restype = ctypes.c_void_p
api.PyInterpreterState_Get.restype = ctypes.c_void_p
v = sys.version_info[:2]
rt = ctypes.addressof(ctypes.c_char.in_dll(api, '_PyRuntime'))
size = {(3,11):0x28b20,(3,12):0x704a8,(3,13):0x452b8}[v]
mem = ctypes.string_at(rt, size)
ts = api.PyThreadState_Get(); interp = api.PyInterpreterState_Get()
words = struct.unpack('<%dQ' % (size//8), mem)
hits_ts = [i*8 for i,w in enumerate(words) if w == ts]
print(v, 'interp - runtime =', interp - rt, '; runtime offsets holding current tstate:', hits_ts)
print('  relative to interp:', [h - (interp-rt) for h in hits_ts if h >= interp-rt])
# pointers inside runtime whose target+8 == tstate (a _gil_runtime_state*)
for i,w in enumerate(words):
    if rt <= w < rt+size-16 and words[(w-rt)//8 + 1] == ts and (w-rt) % 8 == 0:
        print('  word at runtime+%d (interp+%d) points to runtime+%d whose +8 is tstate' % (i*8, i*8-(interp-rt), w-rt))
