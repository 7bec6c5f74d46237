/*
 * CPythonProbe: what the Python frame resolver (Symbolize/Python) needs from C.
 *
 * Why C: the CPython object layout is only known through the installed headers (offsetof with
 * Py_BUILD_CORE), the same headers the BPF walker's offsets are generated from; and process_vm_readv is
 * declared only under _GNU_SOURCE.
 */
#ifndef CPYTHON_PROBE_H
#define CPYTHON_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Offsets (bytes) and bit masks of the CPython objects the resolver reads, from the installed headers.
typedef struct flamelab_py_layout {
    uint32_t version_hex;            /* PY_VERSION_HEX of the headers: the one interpreter supported */
    uint32_t object_type;            /* PyObject.ob_type */
    uint32_t var_size;               /* PyVarObject.ob_size */
    uint32_t code_firstlineno;       /* PyCodeObject fields */
    uint32_t code_filename;
    uint32_t code_name;
    uint32_t code_qualname;
    uint32_t code_linetable;
    uint32_t code_firsttraceable;
    uint32_t code_code_adaptive;
    uint32_t code_unit_size;         /* sizeof(_Py_CODEUNIT) */
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

/// Fills `out` from the CPython headers this target was compiled against.
void flamelab_py_layout_get(flamelab_py_layout *out);

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
