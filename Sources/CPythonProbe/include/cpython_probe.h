/*
 * CPythonProbe: what the Python frame resolver (Symbolize/Python) needs from C.
 *
 * Why C: the CPython layouts are only known through each version's own headers (offsetof with
 * Py_BUILD_CORE). bpf/gen_python_layout.c turns them into bpf/.output/python3XX_layout.h at build time
 * (`make -C bpf`), and cpython_probe.c compiles those tables in; process_vm_readv is declared only under
 * _GNU_SOURCE.
 */
#ifndef CPYTHON_PROBE_H
#define CPYTHON_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Offsets (bytes) and bit masks of one CPython version: what the BPF walker needs (the first block,
/// field for field `struct flamelab_py_offsets` of bpf/python.h) and the objects the resolver reads.
/// FLAMELAB_PY_LAYOUT_ABSENT marks a field the version does not have.
typedef struct flamelab_py_layout {
    /* the walker's (bpf/python.h struct flamelab_py_offsets) */
    uint32_t runtime_tstate_current;
    uint32_t runtime_interpreters_head;
    uint32_t interp_next;
    uint32_t interp_threads_head;
    uint32_t tstate_next;
    uint32_t tstate_native_thread_id;
    uint32_t tstate_frame;
    uint32_t cframe_current_frame;
    uint32_t frame_code;
    uint32_t frame_instr;
    uint32_t frame_previous;
    uint32_t frame_owner;
    uint32_t frame_is_entry;
    uint32_t frame_owner_cstack;
    uint32_t code_firstlineno;
    uint32_t code_code_adaptive;
    uint32_t code_unit_size;         /* sizeof(_Py_CODEUNIT) */
    uint32_t version_hex;            /* PY_VERSION_HEX of the headers the table came from */
    /* the resolver's */
    uint32_t object_type;            /* PyObject.ob_type */
    uint32_t var_size;               /* PyVarObject.ob_size */
    uint32_t code_filename;          /* PyCodeObject fields */
    uint32_t code_name;
    uint32_t code_qualname;
    uint32_t code_linetable;
    uint32_t code_firsttraceable;
    uint32_t bytes_data;             /* PyBytesObject.ob_sval */
    uint32_t str_length;             /* PyASCIIObject.length */
    uint32_t str_state;              /* PyASCIIObject.state, read as a 32-bit word */
    uint32_t str_state_ascii_mask;
    uint32_t str_state_compact_mask;
    uint32_t str_state_kind_mask;
    uint32_t str_state_kind_shift;
    uint32_t str_ascii_data;         /* sizeof(PyASCIIObject): data of compact ASCII strings */
    uint32_t str_compact_data;       /* sizeof(PyCompactUnicodeObject): data of other compact strings */
    uint32_t str_legacy_data;        /* PyUnicodeObject.data.any: pointer to data of non-compact strings */
} flamelab_py_layout;

#define FLAMELAB_PY_LAYOUT_ABSENT 0xffffffffu

/// Fills `out` with the build-time layout of CPython 3.`minor` (from that version's headers).
/// Returns 0, or -1 when flamelab was not built with a table for that version.
int flamelab_py_layout_get(unsigned minor, flamelab_py_layout *out);

/// Where CPython's `_Py_DebugOffsets` (3.13+, first member of `_PyRuntime`) keeps each value flamelab
/// reads: byte positions inside that struct, from the version's own headers (struct_size 0: the version
/// has none). Every value there is a uint64_t.
typedef struct flamelab_py_debug_index {
    uint32_t struct_size;            /* sizeof(_Py_DebugOffsets) */
    uint32_t cookie_size;
    char cookie[8];                  /* _Py_Debug_Cookie, "xdebugpy" (no NUL) */
    uint32_t version;
    uint32_t free_threaded;
    uint32_t runtime_size;
    uint32_t runtime_interpreters_head;
    uint32_t interp_size;
    uint32_t interp_next;
    uint32_t interp_threads_head;
    uint32_t tstate_size;
    uint32_t tstate_next;
    uint32_t tstate_current_frame;
    uint32_t tstate_native_thread_id;
    uint32_t frame_size;
    uint32_t frame_previous;
    uint32_t frame_executable;
    uint32_t frame_instr_ptr;
    uint32_t frame_owner;
    uint32_t code_size;
    uint32_t code_filename;
    uint32_t code_name;
    uint32_t code_qualname;
    uint32_t code_linetable;
    uint32_t code_firstlineno;
    uint32_t code_code_adaptive;
    uint32_t object_size;
    uint32_t object_type;
    uint32_t bytes_size;
    uint32_t bytes_ob_size;
    uint32_t bytes_ob_sval;
    uint32_t unicode_size;
    uint32_t unicode_state;
    uint32_t unicode_length;
    uint32_t unicode_ascii_size;
} flamelab_py_debug_index;

/// Fills `out` with the build-time index of CPython 3.`minor`'s `_Py_DebugOffsets`.
/// Returns 0, or -1 when flamelab has no table for that version or the version has no debug offsets.
int flamelab_py_debug_index_get(unsigned minor, flamelab_py_debug_index *out);

/// Looks up the defined symbol `name` in .dynsym, then .symtab, of the ELF file `path`.
/// Returns 0 and sets *value (st_value) on success, 1 when the symbol is absent, -1 on error (message
/// in `err`). (CElfDwarf's reader keeps only code and TLS symbols; _PyRuntime is a data object.)
int flamelab_py_elf_symbol(const char *path, const char *name, uint64_t *value, char *err, size_t errlen);

/// Copies `length` bytes at `address` of process `pid` into `buffer` (process_vm_readv).
/// Returns the number of bytes read (short on a partial read), or -1 with errno set.
ssize_t flamelab_py_read_memory(pid_t pid, uint64_t address, void *buffer, size_t length);

#ifdef __cplusplus
}
#endif
#endif
