/* cpython_probe.c: the CPython layouts generated at build time from each version's headers, and reads
 * of another process. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/uio.h>

#include "cpython_probe.h"

/* Made by `make -C bpf` (bpf/python.mk, gen_python_layout.c); quoted includes resolve against this file's
 * directory, so the path holds wherever the package is checked out. */
#if !__has_include("../../bpf/.output/python311_layout.h") || !__has_include("../../bpf/.output/python312_layout.h") \
    || !__has_include("../../bpf/.output/python313_layout.h")
#error "bpf/.output/python3XX_layout.h missing: run `make -C bpf` (it generates them from the CPython headers) before swift build"
#endif
#include "../../bpf/.output/python311_layout.h"
#include "../../bpf/.output/python312_layout.h"
#include "../../bpf/.output/python313_layout.h"

static const flamelab_py_layout layout311 = FLAMELAB_PY311_LAYOUT;
static const flamelab_py_layout layout312 = FLAMELAB_PY312_LAYOUT;
static const flamelab_py_layout layout313 = FLAMELAB_PY313_LAYOUT;

int flamelab_py_layout_get(unsigned minor, flamelab_py_layout *out)
{
    const flamelab_py_layout *table;

    switch (minor) {
    case 11: table = &layout311; break;
    case 12: table = &layout312; break;
    case 13: table = &layout313; break;
    default: return -1;
    }
    *out = *table;
    return 0;
}

static const flamelab_py_debug_index debug311 = FLAMELAB_PY311_DEBUG_INDEX;
static const flamelab_py_debug_index debug312 = FLAMELAB_PY312_DEBUG_INDEX;
static const flamelab_py_debug_index debug313 = FLAMELAB_PY313_DEBUG_INDEX;

int flamelab_py_debug_index_get(unsigned minor, flamelab_py_debug_index *out)
{
    const flamelab_py_debug_index *table;

    switch (minor) {
    case 11: table = &debug311; break;
    case 12: table = &debug312; break;
    case 13: table = &debug313; break;
    default: return -1;
    }
    if (table->struct_size == 0)
        return -1;
    *out = *table;
    return 0;
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
