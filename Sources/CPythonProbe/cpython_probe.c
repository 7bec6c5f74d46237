/* cpython_probe.c: CPython 3.11 layout from the installed headers, and reads of another process. */
#define _GNU_SOURCE
#define Py_BUILD_CORE 1
#include <python3.11/Python.h>
#include <python3.11/internal/pycore_code.h>

#include <string.h>
#include <sys/uio.h>

#include "cpython_probe.h"

/* The state word of a PyASCIIObject with only the given bit-field set: bit-field positions have no
 * offsetof, so they are found by setting them on a zeroed object. */
static uint32_t state_word(const PyASCIIObject *object)
{
    uint32_t word = 0;
    memcpy(&word, (const char *)object + offsetof(PyASCIIObject, state), sizeof(word));
    return word;
}

static uint32_t lowest_bit_index(uint32_t mask)
{
    return mask ? (uint32_t)__builtin_ctz(mask) : 0;
}

void flamelab_py_layout_get(flamelab_py_layout *out)
{
    PyASCIIObject probe;

    memset(out, 0, sizeof(*out));
    out->version_hex = PY_VERSION_HEX;
    out->object_type = offsetof(PyObject, ob_type);
    out->var_size = offsetof(PyVarObject, ob_size);
    out->code_firstlineno = offsetof(PyCodeObject, co_firstlineno);
    out->code_filename = offsetof(PyCodeObject, co_filename);
    out->code_name = offsetof(PyCodeObject, co_name);
    out->code_qualname = offsetof(PyCodeObject, co_qualname);
    out->code_linetable = offsetof(PyCodeObject, co_linetable);
    out->code_firsttraceable = offsetof(PyCodeObject, _co_firsttraceable);
    out->code_code_adaptive = offsetof(PyCodeObject, co_code_adaptive);
    out->code_unit_size = sizeof(_Py_CODEUNIT);
    out->bytes_data = offsetof(PyBytesObject, ob_sval);
    out->str_length = offsetof(PyASCIIObject, length);
    out->str_state = offsetof(PyASCIIObject, state);

    memset(&probe, 0, sizeof(probe));
    probe.state.ascii = 1;
    out->str_state_ascii_mask = state_word(&probe);
    memset(&probe, 0, sizeof(probe));
    probe.state.compact = 1;
    out->str_state_compact_mask = state_word(&probe);
    memset(&probe, 0, sizeof(probe));
    probe.state.kind = 7;
    out->str_state_kind_mask = state_word(&probe);
    out->str_state_kind_shift = lowest_bit_index(out->str_state_kind_mask);

    out->str_ascii_data = sizeof(PyASCIIObject);
    out->str_compact_data = sizeof(PyCompactUnicodeObject);
    out->str_legacy_data = offsetof(PyUnicodeObject, data.any);
}

ssize_t flamelab_py_read_memory(pid_t pid, uint64_t address, void *buffer, size_t length)
{
    struct iovec local = { .iov_base = buffer, .iov_len = length };
    struct iovec remote = { .iov_base = (void *)(uintptr_t)address, .iov_len = length };
    return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

/* ------------------------------------------------------------------ ELF (libelf) */

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <unistd.h>

/* Opens `path` for reading with libelf; on failure writes a message and returns NULL. */
static Elf *open_elf(const char *path, int *fd, char *err, size_t errlen)
{
    Elf *elf;

    if (elf_version(EV_CURRENT) == EV_NONE) {
        snprintf(err, errlen, "failed to initialise libelf: %s", elf_errmsg(-1));
        return NULL;
    }
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        snprintf(err, errlen, "failed to open %s: %s", path, strerror(errno));
        return NULL;
    }
    elf = elf_begin(*fd, ELF_C_READ, NULL);
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        snprintf(err, errlen, "failed to read ELF file %s: %s", path, elf ? "not an ELF object" : elf_errmsg(-1));
        if (elf)
            elf_end(elf);
        close(*fd);
        return NULL;
    }
    return elf;
}

/* Searches one symbol table section for a defined symbol called `name`. */
static int find_in_section(Elf *elf, Elf_Scn *section, const GElf_Shdr *header, const char *name, uint64_t *value)
{
    Elf_Data *data = elf_getdata(section, NULL);
    size_t count = header->sh_entsize ? header->sh_size / header->sh_entsize : 0;

    for (size_t i = 0; data && i < count; i++) {
        GElf_Sym symbol;
        const char *symbol_name;
        if (!gelf_getsym(data, (int)i, &symbol) || symbol.st_shndx == SHN_UNDEF)
            continue;
        symbol_name = elf_strptr(elf, header->sh_link, symbol.st_name);
        if (symbol_name && strcmp(symbol_name, name) == 0) {
            *value = symbol.st_value;
            return 0;
        }
    }
    return 1;
}

int flamelab_py_elf_symbol(const char *path, const char *name, uint64_t *value, char *err, size_t errlen)
{
    static const GElf_Word kinds[] = { SHT_DYNSYM, SHT_SYMTAB };
    int fd = -1, result = 1;
    Elf *elf = open_elf(path, &fd, err, errlen);

    if (!elf)
        return -1;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && result != 0; k++) {
        Elf_Scn *section = NULL;
        while (result != 0 && (section = elf_nextscn(elf, section)) != NULL) {
            GElf_Shdr header;
            if (gelf_getshdr(section, &header) && header.sh_type == kinds[k])
                result = find_in_section(elf, section, &header, name, value);
        }
    }
    elf_end(elf);
    close(fd);
    return result;
}
