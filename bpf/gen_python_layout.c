/* gen_python_layout: prints one CPython version's struct layout as a C header, for flamelab.
 *
 * Built and run at build time (bpf/python.mk) once per supported minor version, each time against THAT
 * version's own headers, so no offset is copied by hand:
 *   cc -DPy_BUILD_CORE -I<prefix>/include/python3.12 -I<prefix>/include/python3.12/internal \
 *      gen_python_layout.c -o gen_python_layout_312 && ./gen_python_layout_312 > .output/python312_layout.h
 * The header defines FLAMELAB_PY3xx_LAYOUT, a designated initializer of `flamelab_py_layout`
 * (Sources/CPythonProbe/include/cpython_probe.h): the walker's offsets (the fields of `flamelab_py_offsets`
 * in bpf/python.h, which the agent copies into flamelab_py_procs) and the objects the resolver reads.
 * Only offsetof/sizeof and bit-fields of a local object are used: nothing is linked from libpython. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <Python.h>
#include <internal/pycore_code.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_pystate.h>
#include <internal/pycore_runtime.h>

#if PY_VERSION_HEX < 0x030b0000 || PY_VERSION_HEX >= 0x030e0000
#error "gen_python_layout knows CPython 3.11 to 3.13 only"
#endif
#ifdef Py_GIL_DISABLED
#error "free-threaded CPython headers: flamelab reads the default (GIL) build only"
#endif

/* A field the version does not have (bpf/python.h FLAMELAB_PY_ABSENT). */
#define ABSENT 0xffffffffu

static void field(const char *name, unsigned long long value)
{
    printf("    .%s = %lluu, \\\n", name, value);
}

/* The state word of a PyASCIIObject with only the given bit-field set: bit-fields have no offsetof. */
static unsigned state_word(const PyASCIIObject *object)
{
    unsigned word = 0;
    memcpy(&word, (const char *)object + offsetof(PyASCIIObject, state), sizeof(word));
    return word;
}

static void walker_fields(void)
{
#if PY_VERSION_HEX < 0x030c0000
    field("runtime_tstate_current", offsetof(_PyRuntimeState, gilstate.tstate_current));
#else
    field("runtime_tstate_current", ABSENT); /* 3.12 made it a thread-local (_Py_tss_tstate) */
#endif
    field("runtime_interpreters_head", offsetof(_PyRuntimeState, interpreters.head));
    field("interp_next", offsetof(PyInterpreterState, next));
    field("interp_threads_head", offsetof(PyInterpreterState, threads.head));
    field("tstate_next", offsetof(PyThreadState, next));
    field("tstate_native_thread_id", offsetof(PyThreadState, native_thread_id));
#if PY_VERSION_HEX < 0x030d0000
    field("tstate_frame", offsetof(PyThreadState, cframe));
    field("cframe_current_frame", offsetof(_PyCFrame, current_frame));
    field("frame_code", offsetof(_PyInterpreterFrame, f_code));
    field("frame_instr", offsetof(_PyInterpreterFrame, prev_instr));
#else
    field("tstate_frame", offsetof(PyThreadState, current_frame));
    field("cframe_current_frame", ABSENT); /* no _PyCFrame: tstate->current_frame is the frame */
    field("frame_code", offsetof(_PyInterpreterFrame, f_executable));
    field("frame_instr", offsetof(_PyInterpreterFrame, instr_ptr));
#endif
    field("frame_previous", offsetof(_PyInterpreterFrame, previous));
    field("frame_owner", offsetof(_PyInterpreterFrame, owner));
#if PY_VERSION_HEX < 0x030c0000
    field("frame_is_entry", offsetof(_PyInterpreterFrame, is_entry));
    field("frame_owner_cstack", ABSENT); /* 3.11 has no C-stack shim frames */
#else
    field("frame_is_entry", ABSENT); /* 3.12 replaced is_entry by a C-stack shim frame per eval call */
    field("frame_owner_cstack", FRAME_OWNED_BY_CSTACK); /* an enum constant, not a macro */
#endif
    field("code_firstlineno", offsetof(PyCodeObject, co_firstlineno));
    field("code_code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
    field("code_unit_size", sizeof(_Py_CODEUNIT));
    field("version_hex", PY_VERSION_HEX);
}

static void object_fields(void)
{
    PyASCIIObject probe;
    unsigned kind_mask;

    field("object_type", offsetof(PyObject, ob_type));
    field("var_size", offsetof(PyVarObject, ob_size));
    field("code_filename", offsetof(PyCodeObject, co_filename));
    field("code_name", offsetof(PyCodeObject, co_name));
    field("code_qualname", offsetof(PyCodeObject, co_qualname));
    field("code_linetable", offsetof(PyCodeObject, co_linetable));
    field("code_firsttraceable", offsetof(PyCodeObject, _co_firsttraceable));
    field("bytes_data", offsetof(PyBytesObject, ob_sval));
    field("str_length", offsetof(PyASCIIObject, length));
    field("str_state", offsetof(PyASCIIObject, state));
    memset(&probe, 0, sizeof(probe));
    probe.state.ascii = 1;
    field("str_state_ascii_mask", state_word(&probe));
    memset(&probe, 0, sizeof(probe));
    probe.state.compact = 1;
    field("str_state_compact_mask", state_word(&probe));
    memset(&probe, 0, sizeof(probe));
    probe.state.kind = 7;
    kind_mask = state_word(&probe);
    field("str_state_kind_mask", kind_mask);
    field("str_state_kind_shift", kind_mask ? (unsigned)__builtin_ctz(kind_mask) : 0);
    field("str_ascii_data", sizeof(PyASCIIObject));
    field("str_compact_data", sizeof(PyCompactUnicodeObject));
    field("str_legacy_data", offsetof(PyUnicodeObject, data.any));
}

/* Where _Py_DebugOffsets (3.13+, the first member of _PyRuntime) keeps the values flamelab reads: byte
 * positions inside that struct, so user space parses the interpreter's copy without a hand-written table. */
static void debug_offsets_index(void)
{
#if PY_VERSION_HEX >= 0x030d0000
    field("struct_size", sizeof(_Py_DebugOffsets));
    field("cookie_size", sizeof(((_Py_DebugOffsets *)0)->cookie));
    printf("    .cookie = %s, \\\n", "\"" _Py_Debug_Cookie "\"");
    field("version", offsetof(_Py_DebugOffsets, version));
    field("free_threaded", offsetof(_Py_DebugOffsets, free_threaded));
    field("runtime_size", offsetof(_Py_DebugOffsets, runtime_state.size));
    field("runtime_interpreters_head", offsetof(_Py_DebugOffsets, runtime_state.interpreters_head));
    field("interp_size", offsetof(_Py_DebugOffsets, interpreter_state.size));
    field("interp_next", offsetof(_Py_DebugOffsets, interpreter_state.next));
    field("interp_threads_head", offsetof(_Py_DebugOffsets, interpreter_state.threads_head));
    field("tstate_size", offsetof(_Py_DebugOffsets, thread_state.size));
    field("tstate_next", offsetof(_Py_DebugOffsets, thread_state.next));
    field("tstate_current_frame", offsetof(_Py_DebugOffsets, thread_state.current_frame));
    field("tstate_native_thread_id", offsetof(_Py_DebugOffsets, thread_state.native_thread_id));
    field("frame_size", offsetof(_Py_DebugOffsets, interpreter_frame.size));
    field("frame_previous", offsetof(_Py_DebugOffsets, interpreter_frame.previous));
    field("frame_executable", offsetof(_Py_DebugOffsets, interpreter_frame.executable));
    field("frame_instr_ptr", offsetof(_Py_DebugOffsets, interpreter_frame.instr_ptr));
    field("frame_owner", offsetof(_Py_DebugOffsets, interpreter_frame.owner));
    field("code_size", offsetof(_Py_DebugOffsets, code_object.size));
    field("code_filename", offsetof(_Py_DebugOffsets, code_object.filename));
    field("code_name", offsetof(_Py_DebugOffsets, code_object.name));
    field("code_qualname", offsetof(_Py_DebugOffsets, code_object.qualname));
    field("code_linetable", offsetof(_Py_DebugOffsets, code_object.linetable));
    field("code_firstlineno", offsetof(_Py_DebugOffsets, code_object.firstlineno));
    field("code_code_adaptive", offsetof(_Py_DebugOffsets, code_object.co_code_adaptive));
    field("object_size", offsetof(_Py_DebugOffsets, pyobject.size));
    field("object_type", offsetof(_Py_DebugOffsets, pyobject.ob_type));
    field("bytes_size", offsetof(_Py_DebugOffsets, bytes_object.size));
    field("bytes_ob_size", offsetof(_Py_DebugOffsets, bytes_object.ob_size));
    field("bytes_ob_sval", offsetof(_Py_DebugOffsets, bytes_object.ob_sval));
    field("unicode_size", offsetof(_Py_DebugOffsets, unicode_object.size));
    field("unicode_state", offsetof(_Py_DebugOffsets, unicode_object.state));
    field("unicode_length", offsetof(_Py_DebugOffsets, unicode_object.length));
    field("unicode_ascii_size", offsetof(_Py_DebugOffsets, unicode_object.asciiobject_size));
#else
    field("struct_size", 0); /* no _Py_DebugOffsets before 3.13 */
#endif
}

int main(void)
{
    unsigned tag = (PY_MAJOR_VERSION * 100) + PY_MINOR_VERSION;

    printf("/* Generated by bpf/gen_python_layout.c from the CPython %s headers. Do not edit. */\n", PY_VERSION);
    printf("#ifndef FLAMELAB_PYTHON%u_LAYOUT_H\n#define FLAMELAB_PYTHON%u_LAYOUT_H\n", tag, tag);
    printf("#define FLAMELAB_PY%u_LAYOUT { \\\n", tag);
    walker_fields();
    object_fields();
    printf("}\n");
    /* An initializer of flamelab_py_debug_index (Sources/CPythonProbe/include/cpython_probe.h). */
    printf("#define FLAMELAB_PY%u_DEBUG_INDEX { \\\n", tag);
    debug_offsets_index();
    printf("}\n#endif\n");
    return 0;
}
