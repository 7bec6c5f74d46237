#define _GNU_SOURCE
#include "celfdwarf.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Declared here rather than in the public header so that Swift sees only the celf_ wrappers. */
extern char *swift_demangle(const char *mangled_name, size_t mangled_name_length, char *output_buffer,
                            size_t *output_buffer_size, uint32_t flags);
extern char *__cxa_demangle(const char *mangled_name, char *output_buffer, size_t *length, int *status);

static void set_error(char *err, size_t errlen, const char *format, ...) {
    if (err == NULL || errlen == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(err, errlen, format, args);
    va_end(args);
}

/* ---------------------------------------------------------------- ELF images */

typedef struct name_buffer {
    char *bytes;
    size_t size;
    size_t capacity;
} name_buffer;

static int name_buffer_append(name_buffer *buffer, const char *name, uint32_t *offset_out) {
    size_t length = strlen(name) + 1;
    if (buffer->size + length > UINT32_MAX) return -1;
    if (buffer->size + length > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : 65536;
        while (capacity < buffer->size + length) capacity *= 2;
        char *grown = realloc(buffer->bytes, capacity);
        if (grown == NULL) return -1;
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->size, name, length);
    *offset_out = (uint32_t)buffer->size;
    buffer->size += length;
    return 0;
}

static bool symbol_is_wanted(const GElf_Sym *sym) {
    int type = GELF_ST_TYPE(sym->st_info);
    if (sym->st_shndx == SHN_UNDEF) return false;
    if (type == STT_TLS) return true; /* TLS values are template offsets, 0 is valid */
    if (sym->st_value == 0) return false;
    return type == STT_FUNC || type == STT_GNU_IFUNC || type == STT_NOTYPE;
}

static int load_symbols(Elf *elf, celf_image *out, name_buffer *names, char *err, size_t errlen) {
    size_t capacity = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == NULL) continue;
        if (shdr.sh_type != SHT_SYMTAB && shdr.sh_type != SHT_DYNSYM) continue;
        if (shdr.sh_type == SHT_SYMTAB) out->has_symtab = 1;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (data == NULL || shdr.sh_entsize == 0) continue;
        size_t count = shdr.sh_size / shdr.sh_entsize;
        for (size_t index = 0; index < count; index++) {
            GElf_Sym sym;
            if (gelf_getsym(data, (int)index, &sym) == NULL) break;
            if (!symbol_is_wanted(&sym)) continue;
            const char *name = elf_strptr(elf, shdr.sh_link, sym.st_name);
            if (name == NULL || name[0] == '\0') continue;
            if (out->symbol_count == capacity) {
                capacity = capacity ? capacity * 2 : 1024;
                celf_symbol *grown = realloc(out->symbols, capacity * sizeof *grown);
                if (grown == NULL) {
                    set_error(err, errlen, "out of memory");
                    return -1;
                }
                out->symbols = grown;
            }
            celf_symbol *entry = &out->symbols[out->symbol_count];
            if (name_buffer_append(names, name, &entry->name_offset) != 0) {
                set_error(err, errlen, "out of memory");
                return -1;
            }
            entry->value = sym.st_value;
            entry->size = sym.st_size;
            entry->type = (uint8_t)GELF_ST_TYPE(sym.st_info);
            entry->binding = (uint8_t)GELF_ST_BIND(sym.st_info);
            entry->from_dynsym = shdr.sh_type == SHT_DYNSYM;
            entry->reserved = 0;
            out->symbol_count++;
        }
    }
    return 0;
}

static int load_segments(Elf *elf, celf_image *out, char *err, size_t errlen) {
    size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0) {
        set_error(err, errlen, "%s", elf_errmsg(-1));
        return -1;
    }
    if (count == 0) return 0;
    out->segments = calloc(count, sizeof *out->segments);
    if (out->segments == NULL) {
        set_error(err, errlen, "out of memory");
        return -1;
    }
    for (size_t index = 0; index < count; index++) {
        GElf_Phdr phdr;
        if (gelf_getphdr(elf, (int)index, &phdr) == NULL) continue;
        celf_segment *segment = &out->segments[out->segment_count++];
        segment->type = phdr.p_type;
        segment->flags = phdr.p_flags;
        segment->offset = phdr.p_offset;
        segment->vaddr = phdr.p_vaddr;
        segment->filesz = phdr.p_filesz;
        segment->memsz = phdr.p_memsz;
        segment->align = phdr.p_align;
    }
    return 0;
}

static int image_load(const char *path, celf_image *out, bool with_symbols, char *err, size_t errlen);

int celf_image_load(const char *path, celf_image *out, char *err, size_t errlen) {
    return image_load(path, out, true, err, errlen);
}

int celf_image_load_segments(const char *path, celf_image *out, char *err, size_t errlen) {
    return image_load(path, out, false, err, errlen);
}

/* Fills `out` from an open ELF handle; `out` is zeroed on entry. */
static int image_read(Elf *elf, celf_image *out, bool with_symbols, char *err, size_t errlen) {
    GElf_Ehdr ehdr;
    name_buffer names = {0};
    if (gelf_getehdr(elf, &ehdr) == NULL) {
        set_error(err, errlen, "bad ELF header (%s)", elf_errmsg(-1));
        return -1;
    }
    out->elf_type = ehdr.e_type;
    out->machine = ehdr.e_machine;
    if (load_segments(elf, out, err, errlen) != 0) goto failed;
    if (with_symbols && load_symbols(elf, out, &names, err, errlen) != 0) goto failed;
    const void *build_id = NULL;
    ssize_t build_id_size = dwelf_elf_gnu_build_id(elf, &build_id);
    if (build_id_size > 0 && (size_t)build_id_size <= sizeof out->build_id) {
        memcpy(out->build_id, build_id, (size_t)build_id_size);
        out->build_id_size = (size_t)build_id_size;
    }
    out->names = names.bytes;
    out->names_size = names.size;
    return 0;
failed:
    free(names.bytes);
    celf_image_free(out);
    return -1;
}

static int image_load(const char *path, celf_image *out, bool with_symbols, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (elf_version(EV_CURRENT) == EV_NONE) {
        set_error(err, errlen, "libelf is out of date");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error(err, errlen, "%s", strerror(errno));
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
        set_error(err, errlen, "not an ELF file (%s)", elf_errmsg(-1));
        if (elf) elf_end(elf);
        close(fd);
        return -1;
    }
    int status = image_read(elf, out, with_symbols, err, errlen);
    elf_end(elf);
    close(fd);
    return status;
}

int celf_image_load_memory(const void *bytes, size_t size, celf_image *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (elf_version(EV_CURRENT) == EV_NONE) {
        set_error(err, errlen, "libelf is out of date");
        return -1;
    }
    /* libelf may write to the image it is given: hand it a private copy, not the mapped original. */
    char *copy = malloc(size);
    if (copy == NULL) {
        set_error(err, errlen, "out of memory");
        return -1;
    }
    memcpy(copy, bytes, size);
    Elf *elf = elf_memory(copy, size);
    int status = -1;
    if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
        set_error(err, errlen, "not an ELF image (%s)", elf_errmsg(-1));
    } else {
        status = image_read(elf, out, true, err, errlen);
    }
    if (elf) elf_end(elf);
    free(copy);
    return status;
}

void celf_image_free(celf_image *image) {
    if (image == NULL) return;
    free(image->symbols);
    free(image->names);
    free(image->segments);
    memset(image, 0, sizeof *image);
}

/* ---------------------------------------------------------------- demangling */

char *celf_swift_demangle(const char *name) {
    if (name == NULL) return NULL;
    /* Only hand Swift-looking names to the runtime: it is the hot path of symbolization. */
    bool swift_prefix = strncmp(name, "$s", 2) == 0 || strncmp(name, "$S", 2) == 0 ||
                        strncmp(name, "_$s", 3) == 0 || strncmp(name, "$e", 2) == 0 ||
                        strncmp(name, "_T0", 3) == 0;
    if (!swift_prefix) return NULL;
    return swift_demangle(name, strlen(name), NULL, NULL, 0);
}

char *celf_cxx_demangle(const char *name) {
    if (name == NULL || strncmp(name, "_Z", 2) != 0) return NULL;
    int status = 0;
    char *result = __cxa_demangle(name, NULL, NULL, &status);
    if (status != 0) {
        free(result);
        return NULL;
    }
    return result;
}

/* ---------------------------------------------------------------- DWARF unwinding */

struct celf_unwinder {
    Dwfl *dwfl;
    int32_t pid;
    /* The stack being unwound right now (one at a time: the Swift side serialises calls). */
    int32_t tid;
    const uint64_t *registers;
    const uint8_t *stack;
    size_t stack_size;
    uint64_t stack_pointer;
    uint64_t *pcs;
    size_t max_pcs;
    size_t pc_count;
};

static char *debuginfo_path = NULL;

static const Dwfl_Callbacks unwinder_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

celf_unwinder *celf_unwinder_create(int32_t pid, char *err, size_t errlen) {
    celf_unwinder *unwinder = calloc(1, sizeof *unwinder);
    if (unwinder == NULL) {
        set_error(err, errlen, "out of memory");
        return NULL;
    }
    unwinder->pid = pid;
    unwinder->dwfl = dwfl_begin(&unwinder_callbacks);
    if (unwinder->dwfl == NULL) {
        set_error(err, errlen, "%s", dwfl_errmsg(-1));
        free(unwinder);
        return NULL;
    }
    dwfl_report_begin(unwinder->dwfl);
    return unwinder;
}

int celf_unwinder_report(celf_unwinder *unwinder, const char *name, const char *path, uint64_t bias,
                         char *err, size_t errlen) {
    /* add_p_vaddr = true: `base` is the load bias, libdwfl adds each segment's p_vaddr. */
    Dwfl_Module *module = dwfl_report_elf(unwinder->dwfl, name, path, -1, bias, true);
    if (module == NULL) {
        set_error(err, errlen, "%s", dwfl_errmsg(-1));
        return -1;
    }
    return 0;
}

int celf_unwinder_report_memory(celf_unwinder *unwinder, const char *name, const void *bytes, size_t size,
                                uint64_t bias, char *err, size_t errlen) {
    /* libdwfl reads modules from files: give this in-memory image (the vDSO) an anonymous one. */
    int fd = memfd_create("flamelab-elf", MFD_CLOEXEC);
    if (fd < 0) {
        set_error(err, errlen, "memfd_create: %s", strerror(errno));
        return -1;
    }
    const char *cursor = bytes;
    size_t left = size;
    while (left > 0) {
        ssize_t written = write(fd, cursor, left);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) {
            set_error(err, errlen, "write: %s", strerror(errno));
            close(fd);
            return -1;
        }
        cursor += written;
        left -= (size_t)written;
    }
    lseek(fd, 0, SEEK_SET);
    /* On success libdwfl owns (and later closes) fd. */
    Dwfl_Module *module = dwfl_report_elf(unwinder->dwfl, name, name, fd, bias, true);
    if (module == NULL) {
        set_error(err, errlen, "%s", dwfl_errmsg(-1));
        close(fd);
        return -1;
    }
    return 0;
}

static pid_t unwinder_next_thread(Dwfl *dwfl, void *dwfl_arg, void **thread_argp) {
    (void)dwfl;
    celf_unwinder *unwinder = dwfl_arg;
    if (*thread_argp != NULL) return 0;
    *thread_argp = unwinder;
    return unwinder->tid;
}

static bool unwinder_get_thread(Dwfl *dwfl, pid_t tid, void *dwfl_arg, void **thread_argp) {
    (void)dwfl;
    (void)tid;
    *thread_argp = dwfl_arg;
    return true;
}

/* Reads 8 bytes of a module's read-only file contents (never writable data: its runtime value
 * differs from the file and would be a silent wrong answer). */
static bool read_from_module(Dwfl *dwfl, Dwarf_Addr address, Dwarf_Word *result) {
    Dwfl_Module *module = dwfl_addrmodule(dwfl, address);
    if (module == NULL) return false;
    Dwarf_Addr bias = 0;
    Elf *elf = dwfl_module_getelf(module, &bias);
    if (elf == NULL) return false;
    Dwarf_Addr vaddr = address - bias;
    size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0) return false;
    for (size_t index = 0; index < count; index++) {
        GElf_Phdr phdr;
        if (gelf_getphdr(elf, (int)index, &phdr) == NULL) continue;
        if (phdr.p_type != PT_LOAD || (phdr.p_flags & PF_W)) continue;
        if (vaddr < phdr.p_vaddr || vaddr + sizeof *result > phdr.p_vaddr + phdr.p_filesz) continue;
        size_t file_size = 0;
        char *raw = elf_rawfile(elf, &file_size);
        uint64_t offset = phdr.p_offset + (vaddr - phdr.p_vaddr);
        if (raw == NULL || offset + sizeof *result > file_size) return false;
        memcpy(result, raw + offset, sizeof *result);
        return true;
    }
    return false;
}

static bool unwinder_memory_read(Dwfl *dwfl, Dwarf_Addr address, Dwarf_Word *result, void *dwfl_arg) {
    celf_unwinder *unwinder = dwfl_arg;
    if (address >= unwinder->stack_pointer) {
        uint64_t offset = address - unwinder->stack_pointer;
        if (offset < unwinder->stack_size && unwinder->stack_size - offset >= sizeof *result) {
            memcpy(result, unwinder->stack + offset, sizeof *result);
            return true;
        }
    }
    return read_from_module(dwfl, address, result);
}

static bool unwinder_set_initial_registers(Dwfl_Thread *thread, void *thread_arg) {
    celf_unwinder *unwinder = thread_arg;
    Dwarf_Word registers[CELF_X86_64_REGISTER_COUNT];
    for (int index = 0; index < CELF_X86_64_REGISTER_COUNT; index++) registers[index] = unwinder->registers[index];
    if (!dwfl_thread_state_registers(thread, 0, CELF_X86_64_REGISTER_COUNT, registers)) return false;
    dwfl_thread_state_register_pc(thread, registers[CELF_X86_64_RIP]);
    return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
    .next_thread = unwinder_next_thread,
    .get_thread = unwinder_get_thread,
    .memory_read = unwinder_memory_read,
    .set_initial_registers = unwinder_set_initial_registers,
};

int celf_unwinder_finish(celf_unwinder *unwinder, char *err, size_t errlen) {
    if (dwfl_report_end(unwinder->dwfl, NULL, NULL) != 0) {
        set_error(err, errlen, "%s", dwfl_errmsg(-1));
        return -1;
    }
    if (!dwfl_attach_state(unwinder->dwfl, NULL, unwinder->pid, &thread_callbacks, unwinder)) {
        set_error(err, errlen, "%s", dwfl_errmsg(-1));
        return -1;
    }
    return 0;
}

int celf_unwinder_has_module(celf_unwinder *unwinder, uint64_t pc) {
    return dwfl_addrmodule(unwinder->dwfl, pc) != NULL;
}

/* 1 when `cfi` holds a CFA rule for `address` that is rbp-based (DWARF register 6): the function
 * has set up its frame pointer there. libdw gives a register rule as one DW_OP_bregx (or bregN). */
static int cfa_uses_frame_pointer(Dwarf_CFI *cfi, Dwarf_Addr address) {
    Dwarf_Frame *frame = NULL;
    if (cfi == NULL || dwarf_cfi_addrframe(cfi, address, &frame) != 0) return -1;
    Dwarf_Op *ops = NULL;
    size_t op_count = 0;
    int verdict = -1;
    if (dwarf_frame_cfa(frame, &ops, &op_count) == 0 && op_count >= 1) {
        verdict = ops[0].atom == DW_OP_breg6 || (ops[0].atom == DW_OP_bregx && ops[0].number == 6);
    }
    free(frame);
    return verdict;
}

int celf_unwinder_frame_pointer_at(celf_unwinder *unwinder, uint64_t pc) {
    Dwfl_Module *module = dwfl_addrmodule(unwinder->dwfl, pc);
    if (module == NULL) return -1;
    Dwarf_Addr bias = 0;
    int verdict = cfa_uses_frame_pointer(dwfl_module_eh_cfi(module, &bias), pc - bias);
    if (verdict < 0) verdict = cfa_uses_frame_pointer(dwfl_module_dwarf_cfi(module, &bias), pc - bias);
    return verdict;
}

int celf_unwinder_module_key(celf_unwinder *unwinder, uint64_t pc, uint8_t *build_id, size_t build_id_capacity,
                             size_t *build_id_size, uint64_t *offset) {
    Dwfl_Module *module = dwfl_addrmodule(unwinder->dwfl, pc);
    if (module == NULL) return -1;
    Dwarf_Addr start = 0;
    dwfl_module_info(module, NULL, &start, NULL, NULL, NULL, NULL, NULL);
    *offset = pc - start;
    const unsigned char *bits = NULL;
    GElf_Addr vaddr = 0;
    int size = dwfl_module_build_id(module, &bits, &vaddr);
    if (size <= 0 || (size_t)size > build_id_capacity) return -1;
    memcpy(build_id, bits, (size_t)size);
    *build_id_size = (size_t)size;
    return 0;
}

/* ---------------------------------------------------------------- compiled unwind rules */

/* The CFA rule as register + offset, when it is one (libdw gives it as a single DW_OP_bregN or
 * DW_OP_bregx) on rsp or rbp. */
static bool compile_cfa(Dwarf_Frame *frame, celf_unwind_rule *out) {
    Dwarf_Op *ops = NULL;
    size_t op_count = 0;
    if (dwarf_frame_cfa(frame, &ops, &op_count) != 0 || op_count != 1) return false;
    unsigned reg;
    int64_t offset;
    if (ops[0].atom == DW_OP_bregx) {
        reg = (unsigned)ops[0].number;
        offset = (int64_t)ops[0].number2;
    } else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
        reg = ops[0].atom - DW_OP_breg0;
        offset = (int64_t)ops[0].number;
    } else {
        return false;
    }
    if (reg != CELF_X86_64_RSP && reg != CELF_X86_64_RBP) return false;
    out->cfa_register = (uint8_t)reg;
    out->cfa_offset = offset;
    return true;
}

/* How `regno` of the caller is recovered: same value, undefined, or saved at CFA + offset (libdw
 * spells that DW_OP_call_frame_cfa [DW_OP_plus_uconst offset], a location). `is_value` reports
 * "val_offset" rules (DW_OP_stack_value: the value is CFA + offset itself). */
static bool compile_saved(Dwarf_Frame *frame, int regno, uint8_t *kind, int64_t *offset, bool *is_value) {
    Dwarf_Op ops_mem[3];
    Dwarf_Op *ops = NULL;
    size_t op_count = 0;
    *offset = 0;
    *is_value = false;
    if (dwarf_frame_register(frame, regno, ops_mem, &ops, &op_count) != 0) return false;
    if (op_count == 0) {
        if (ops == NULL) {
            *kind = CELF_SAVED_SAME_VALUE;
            return true;
        }
        if (ops == ops_mem) {
            *kind = CELF_SAVED_UNDEFINED;
            return true;
        }
        return false;
    }
    if (ops[0].atom != DW_OP_call_frame_cfa) return false;
    size_t index = 1;
    if (index < op_count && ops[index].atom == DW_OP_plus_uconst) *offset = (int64_t)ops[index++].number;
    if (index < op_count && ops[index].atom == DW_OP_stack_value) {
        *is_value = true;
        index++;
    }
    if (index != op_count) return false;
    *kind = CELF_SAVED_AT_CFA;
    return true;
}

/* Fills out->status and the rule from one Dwarf_Frame; only the shapes a plain rip/rsp/rbp walk
 * reproduces exactly are OK. */
static void compile_frame(Dwarf_Frame *frame, celf_unwind_rule *out) {
    out->status = CELF_RULE_UNSUPPORTED;
    Dwarf_Addr start = 0, end = 0;
    bool signal_frame = false;
    if (dwarf_frame_info(frame, &start, &end, &signal_frame) != CELF_X86_64_RIP || signal_frame) return;
    if (!compile_cfa(frame, out)) return;
    bool is_value = false;
    uint8_t kind = 0;
    int64_t offset = 0;
    /* The caller's rsp must be the CFA itself (the x86-64 ABI default, val_offset 0). */
    if (!compile_saved(frame, CELF_X86_64_RSP, &kind, &offset, &is_value) || kind != CELF_SAVED_AT_CFA ||
        !is_value || offset != 0)
        return;
    if (!compile_saved(frame, CELF_X86_64_RIP, &out->return_address, &out->return_address_offset, &is_value) ||
        is_value || out->return_address == CELF_SAVED_SAME_VALUE)
        return;
    if (!compile_saved(frame, CELF_X86_64_RBP, &out->frame_pointer, &out->frame_pointer_offset, &is_value) ||
        is_value)
        return;
    out->status = CELF_RULE_OK;
}

/* Compiles the rule `cfi` holds for `address`; false when `cfi` has no FDE for it (try the next). */
static bool compile_rule(Dwarf_CFI *cfi, Dwarf_Addr bias, uint64_t address, celf_unwind_rule *out) {
    Dwarf_Frame *frame = NULL;
    if (cfi == NULL || dwarf_cfi_addrframe(cfi, address - bias, &frame) != 0) return false;
    Dwarf_Addr start = 0, end = 0;
    dwarf_frame_info(frame, &start, &end, NULL);
    out->start = start + bias;
    out->end = end + bias;
    compile_frame(frame, out);
    free(frame);
    return true;
}

int celf_unwinder_rule_at(celf_unwinder *unwinder, uint64_t address, celf_unwind_rule *out) {
    memset(out, 0, sizeof *out);
    out->status = CELF_RULE_NO_CFI;
    out->start = address;
    out->end = address + 1;
    Dwfl_Module *module = dwfl_addrmodule(unwinder->dwfl, address);
    if (module == NULL) return out->status;
    Dwarf_Addr bias = 0;
    /* The order libdwfl's frame unwinder uses: the first table with an FDE decides. */
    if (!compile_rule(dwfl_module_eh_cfi(module, &bias), bias, address, out) &&
        !compile_rule(dwfl_module_dwarf_cfi(module, &bias), bias, address, out))
        return out->status;
    Dwarf_Addr low = 0, high = 0;
    dwfl_module_info(module, NULL, &low, &high, NULL, NULL, NULL, NULL);
    if (out->start < low) out->start = low;
    if (out->end > high) out->end = high;
    if (out->start > address || out->end <= address) {
        out->start = address;
        out->end = address + 1;
    }
    return out->status;
}

typedef struct module_listing {
    celf_module_range *out;
    size_t capacity;
    size_t count;
} module_listing;

static int list_module(Dwfl_Module *module, void **userdata, const char *name, Dwarf_Addr low, void *arg) {
    (void)userdata;
    (void)name;
    (void)low;
    module_listing *listing = arg;
    if (listing->count < listing->capacity) {
        celf_module_range *range = &listing->out[listing->count];
        memset(range, 0, sizeof *range);
        dwfl_module_info(module, NULL, &range->low, &range->high, NULL, NULL, NULL, NULL);
        Dwarf_Addr bias = 0;
        if (dwfl_module_getelf(module, &bias) != NULL) range->bias = bias;
        const unsigned char *bits = NULL;
        GElf_Addr vaddr = 0;
        int size = dwfl_module_build_id(module, &bits, &vaddr);
        if (size > 0 && (size_t)size <= sizeof range->build_id) {
            memcpy(range->build_id, bits, (size_t)size);
            range->build_id_size = (size_t)size;
        }
    }
    listing->count++;
    return DWARF_CB_OK;
}

size_t celf_unwinder_modules(celf_unwinder *unwinder, celf_module_range *out, size_t capacity) {
    module_listing listing = {.out = out, .capacity = capacity, .count = 0};
    dwfl_getmodules(unwinder->dwfl, list_module, &listing, 0);
    return listing.count;
}

static int record_frame(Dwfl_Frame *state, void *arg) {
    celf_unwinder *unwinder = arg;
    Dwarf_Addr pc = 0;
    bool is_activation = false;
    if (!dwfl_frame_pc(state, &pc, &is_activation)) return DWARF_CB_ABORT;
    if (pc == 0) return DWARF_CB_ABORT;
    unwinder->pcs[unwinder->pc_count++] = pc;
    return unwinder->pc_count < unwinder->max_pcs ? DWARF_CB_OK : DWARF_CB_ABORT;
}

size_t celf_unwinder_unwind(celf_unwinder *unwinder, int32_t tid, const uint64_t *registers,
                            const uint8_t *stack, size_t stack_size, uint64_t stack_pointer,
                            uint64_t *pcs, size_t max_pcs) {
    if (max_pcs == 0) return 0;
    unwinder->tid = tid > 0 ? tid : 1;
    unwinder->registers = registers;
    unwinder->stack = stack;
    unwinder->stack_size = stack_size;
    unwinder->stack_pointer = stack_pointer;
    unwinder->pcs = pcs;
    unwinder->max_pcs = max_pcs;
    unwinder->pc_count = 0;
    /* A walk ends with an error when it leaves the copied stack: that is the normal end here. */
    (void)dwfl_getthread_frames(unwinder->dwfl, unwinder->tid, record_frame, unwinder);
    if (unwinder->pc_count == 0) pcs[unwinder->pc_count++] = registers[CELF_X86_64_RIP];
    unwinder->registers = NULL;
    unwinder->stack = NULL;
    unwinder->pcs = NULL;
    return unwinder->pc_count;
}

void celf_unwinder_destroy(celf_unwinder *unwinder) {
    if (unwinder == NULL) return;
    if (unwinder->dwfl) dwfl_end(unwinder->dwfl);
    free(unwinder);
}

/* ---------------------------------------------------------------- test support */

__attribute__((noinline)) size_t celf_capture_current_stack(uint64_t *registers, uint8_t *stack, size_t capacity,
                                                           uint64_t *stack_pointer) {
    memset(registers, 0, CELF_X86_64_REGISTER_COUNT * sizeof *registers);
#if defined(__x86_64__)
    /* All values are taken at label 1, so the CFI of this very instruction describes them. */
    __asm__ volatile("1:\n\t"
                     "lea 1b(%%rip), %%rax\n\t"
                     "mov %%rax, 128(%0)\n\t"
                     "mov %%rbx, 24(%0)\n\t"
                     "mov %%rbp, 48(%0)\n\t"
                     "mov %%rsp, 56(%0)\n\t"
                     "mov %%r12, 96(%0)\n\t"
                     "mov %%r13, 104(%0)\n\t"
                     "mov %%r14, 112(%0)\n\t"
                     "mov %%r15, 120(%0)\n\t"
                     :
                     : "r"(registers)
                     : "rax", "memory");
#else
    return 0;
#endif
    uint64_t sp = registers[CELF_X86_64_RSP];
    *stack_pointer = sp;
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return 0;
    void *low = NULL;
    size_t size = 0;
    int status = pthread_attr_getstack(&attributes, &low, &size);
    pthread_attr_destroy(&attributes);
    if (status != 0) return 0;
    uint64_t top = (uint64_t)(uintptr_t)low + size;
    if (sp >= top) return 0;
    size_t available = (size_t)(top - sp);
    size_t copied = available < capacity ? available : capacity;
    memcpy(stack, (const void *)(uintptr_t)sp, copied);
    return copied;
}

__attribute__((noinline)) uint64_t celf_caller_address(void) {
    return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

/* ---------------------------------------------------------------- TLS exports */

/* The symbol `name` as a defined STT_TLS symbol of the table in `scn`; 1 when found. */
static int find_tls_symbol(Elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr, const char *name, GElf_Sym *found) {
    Elf_Data *data = elf_getdata(scn, NULL);
    if (data == NULL || shdr->sh_entsize == 0) return 0;
    size_t count = shdr->sh_size / shdr->sh_entsize;
    for (size_t index = 1; index < count; index++) {
        GElf_Sym sym;
        if (gelf_getsym(data, (int)index, &sym) == NULL) break;
        if (GELF_ST_TYPE(sym.st_info) != STT_TLS || sym.st_shndx == SHN_UNDEF) continue;
        const char *symbol_name = elf_strptr(elf, shdr->sh_link, sym.st_name);
        if (symbol_name && strcmp(symbol_name, name) == 0) {
            *found = sym;
            return 1;
        }
    }
    return 0;
}

/* Whether relocation `rela` of a table linked to symbol table `symtab` refers to the variable. */
static bool rela_refers_to(Elf *elf, Elf_Scn *symtab, const GElf_Rela *rela, const char *name, uint64_t value) {
    size_t index = GELF_R_SYM(rela->r_info);
    if (index == 0) return (uint64_t)rela->r_addend == value; /* module-local: the addend is the offset */
    GElf_Shdr shdr;
    if (symtab == NULL || gelf_getshdr(symtab, &shdr) == NULL) return false;
    GElf_Sym sym;
    if (gelf_getsym(elf_getdata(symtab, NULL), (int)index, &sym) == NULL) return false;
    const char *symbol_name = elf_strptr(elf, shdr.sh_link, sym.st_name);
    return symbol_name && strcmp(symbol_name, name) == 0;
}

static void find_tls_relocations(Elf *elf, const char *name, celf_tls_export *out) {
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == NULL || shdr.sh_type != SHT_RELA || shdr.sh_entsize == 0) continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        Elf_Scn *symtab = elf_getscn(elf, shdr.sh_link);
        size_t count = shdr.sh_size / shdr.sh_entsize;
        for (size_t index = 0; data != NULL && index < count; index++) {
            GElf_Rela rela;
            if (gelf_getrela(data, (int)index, &rela) == NULL) break;
            uint32_t type = GELF_R_TYPE(rela.r_info);
            if (type != R_X86_64_TPOFF64 && type != R_X86_64_TLSDESC && type != R_X86_64_DTPMOD64) continue;
            /* A module-local DTPMOD64 has addend 0 whatever the variable: it names the module only. */
            bool local_module = type == R_X86_64_DTPMOD64 && GELF_R_SYM(rela.r_info) == 0;
            if (!local_module && !rela_refers_to(elf, symtab, &rela, name, out->value)) continue;
            if (type == R_X86_64_TPOFF64) out->tpoff_slot = rela.r_offset;
            if (type == R_X86_64_TLSDESC) out->tlsdesc_slot = rela.r_offset;
            /* A DTPMOD64 naming the variable wins over a module-local one. */
            if (type == R_X86_64_DTPMOD64 && (!local_module || out->dtpmod_slot == 0)) out->dtpmod_slot = rela.r_offset;
        }
    }
}

static void find_tls_segment(Elf *elf, celf_tls_export *out) {
    size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0) return;
    for (size_t index = 0; index < count; index++) {
        GElf_Phdr phdr;
        if (gelf_getphdr(elf, (int)index, &phdr) == NULL || phdr.p_type != PT_TLS) continue;
        out->has_tls = 1;
        out->tls_vaddr = phdr.p_vaddr;
        out->tls_memsz = phdr.p_memsz;
        out->tls_align = phdr.p_align;
    }
}

static void read_tls_export(Elf *elf, const char *name, celf_tls_export *out) {
    GElf_Ehdr ehdr;
    if (gelf_getehdr(elf, &ehdr) != NULL) {
        out->elf_type = ehdr.e_type;
        out->machine = ehdr.e_machine;
    }
    GElf_Sym sym;
    /* .dynsym first: the spec's place; .symtab as a fallback for a writer that forgot to export. */
    for (int pass = 0; pass < 2 && !out->found; pass++) {
        Elf_Scn *scn = NULL;
        while (!out->found && (scn = elf_nextscn(elf, scn)) != NULL) {
            GElf_Shdr shdr;
            if (gelf_getshdr(scn, &shdr) == NULL) continue;
            if (shdr.sh_type != (pass == 0 ? SHT_DYNSYM : SHT_SYMTAB)) continue;
            if (find_tls_symbol(elf, scn, &shdr, name, &sym)) {
                out->found = 1;
                out->in_dynsym = pass == 0;
                out->value = sym.st_value;
            }
        }
    }
    if (!out->found) return;
    find_tls_segment(elf, out);
    if (out->machine == EM_X86_64) find_tls_relocations(elf, name, out);
}

int celf_find_tls_export(const char *path, const char *name, celf_tls_export *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (elf_version(EV_CURRENT) == EV_NONE) {
        set_error(err, errlen, "libelf is out of date");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error(err, errlen, "%s", strerror(errno));
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
        set_error(err, errlen, "not an ELF file (%s)", elf_errmsg(-1));
        if (elf) elf_end(elf);
        close(fd);
        return -1;
    }
    read_tls_export(elf, name, out);
    elf_end(elf);
    close(fd);
    return 0;
}
