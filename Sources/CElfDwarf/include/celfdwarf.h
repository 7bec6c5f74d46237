/*
 * CElfDwarf: the small C glue Symbolize needs around libelf and libdw (elfutils).
 *
 * Why C: libdw's unwinder calls back into the caller (memory reads, initial registers) and
 * walking ELF symbol tables through gelf is far shorter here than through Swift pointers.
 * Everything returned is plain data owned by the caller until the matching *_free/destroy call.
 */
#ifndef CELFDWARF_H
#define CELFDWARF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- ELF images */

/// One defined symbol from .symtab or .dynsym (functions, untyped labels, TLS variables).
typedef struct celf_symbol {
    uint64_t value;       /* st_value: virtual address (or offset in the TLS template for STT_TLS) */
    uint64_t size;        /* st_size, 0 for many assembler labels */
    uint32_t name_offset; /* into celf_image.names (NUL-terminated) */
    uint8_t type;         /* STT_* */
    uint8_t binding;      /* STB_* */
    uint8_t from_dynsym;  /* 1 when read from .dynsym, 0 from .symtab */
    uint8_t reserved;
} celf_symbol;

/// One program header.
typedef struct celf_segment {
    uint32_t type;  /* PT_* */
    uint32_t flags; /* PF_* */
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} celf_segment;

/// What Symbolize needs from one ELF file.
typedef struct celf_image {
    int elf_type; /* ET_EXEC, ET_DYN, ... */
    int machine;  /* EM_* */
    celf_symbol *symbols;
    size_t symbol_count;
    char *names;
    size_t names_size;
    celf_segment *segments;
    size_t segment_count;
    uint8_t build_id[64];
    size_t build_id_size;
    int has_symtab; /* 1 when a .symtab section was found (not stripped) */
} celf_image;

/// Reads the symbols, program headers and GNU build-id of `path`.
/// Returns 0 on success; otherwise -1 with a message in `err` and `out` zeroed.
int celf_image_load(const char *path, celf_image *out, char *err, size_t errlen);

/// Like celf_image_load but reads only the ELF header, program headers and build-id (no symbols):
/// enough to compute a mapping's load bias cheaply.
int celf_image_load_segments(const char *path, celf_image *out, char *err, size_t errlen);

/// Like celf_image_load for an ELF image in memory (e.g. this process's vDSO); `bytes` is only read.
int celf_image_load_memory(const void *bytes, size_t size, celf_image *out, char *err, size_t errlen);

/// Releases what celf_image_load allocated. Safe on a zeroed image.
void celf_image_free(celf_image *image);

/* ---------------------------------------------------------------- TLS exports */

/// An exported TLS variable (e.g. OpenTelemetry's otel_thread_ctx_v1) and what the dynamic linker
/// writes for it: what a reader needs to find the variable in another process (x86_64).
typedef struct celf_tls_export {
    int found;          /* 1 when `name` is a defined STT_TLS symbol */
    int in_dynsym;      /* 1 when it is in .dynsym (the OpenTelemetry spec requires it) */
    int elf_type;       /* ET_EXEC, ET_DYN */
    int machine;        /* EM_* */
    uint64_t value;     /* st_value: the variable's offset in the module's TLS block */
    /* The PT_TLS segment (has_tls = 0 when none). */
    int has_tls;
    uint64_t tls_vaddr, tls_memsz, tls_align;
    /* GOT slots the dynamic linker fills for this variable, as ELF virtual addresses (r_offset);
     * 0 when the file has no such relocation. A relocation either names the symbol or, with symbol
     * index 0 (a module-local reference), carries the symbol's value as its addend. */
    uint64_t tpoff_slot;   /* R_X86_64_TPOFF64 (initial-exec): the variable's offset from the TP */
    uint64_t tlsdesc_slot; /* R_X86_64_TLSDESC: { resolver, argument } */
    uint64_t dtpmod_slot;  /* R_X86_64_DTPMOD64 (general-dynamic): the module id */
} celf_tls_export;

/// Looks for the TLS variable `name` in `path` (.dynsym, then .symtab) and its TLS relocations.
/// Returns 0 (out->found says whether it exists), or -1 with a message in `err`.
int celf_find_tls_export(const char *path, const char *name, celf_tls_export *out, char *err, size_t errlen);

/* ---------------------------------------------------------------- demangling */

/// Swift demangling through libswiftCore's swift_demangle. NULL when `name` is not a Swift symbol.
/// The result is malloc'd: free() it.
char *celf_swift_demangle(const char *name);

/// C++ (Itanium ABI) demangling through __cxa_demangle. NULL when `name` is not a C++ symbol.
/// The result is malloc'd: free() it.
char *celf_cxx_demangle(const char *name);

/* ---------------------------------------------------------------- DWARF unwinding (x86_64) */

/// Number of registers in a captured user context, in DWARF order:
/// rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8..r15, rip.
#define CELF_X86_64_REGISTER_COUNT 17
/// Indices of the registers read by name (DWARF x86_64 order: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip).
#define CELF_X86_64_RBP 6
#define CELF_X86_64_RSP 7
#define CELF_X86_64_RIP 16

/// A libdwfl session for one process whose modules were reported from a /proc/PID/maps snapshot.
typedef struct celf_unwinder celf_unwinder;

/// Starts a session for `pid`. NULL with a message in `err` on failure.
celf_unwinder *celf_unwinder_create(int32_t pid, char *err, size_t errlen);

/// Reports one ELF file mapped at load bias `bias` (runtime address - ELF virtual address).
/// Call before celf_unwinder_finish. Returns 0, or -1 with a message in `err`.
int celf_unwinder_report(celf_unwinder *unwinder, const char *name, const char *path, uint64_t bias,
                         char *err, size_t errlen);

/// Reports an ELF image held in memory (the vDSO, copied from this process) mapped at load bias `bias`.
int celf_unwinder_report_memory(celf_unwinder *unwinder, const char *name, const void *bytes, size_t size,
                                uint64_t bias, char *err, size_t errlen);

/// Ends module reporting and attaches the in-memory thread state callbacks. Returns 0 or -1.
int celf_unwinder_finish(celf_unwinder *unwinder, char *err, size_t errlen);

/// 1 when `pc` lies in a reported module.
int celf_unwinder_has_module(celf_unwinder *unwinder, uint64_t pc);

/// Unwinds one stack. `registers` has CELF_X86_64_REGISTER_COUNT entries, `stack` holds `stack_size`
/// bytes copied from `stack_pointer` upwards. Memory reads outside the copy are served from the
/// modules' ELF files (read-only data); anything else ends the walk cleanly.
/// Writes up to `max_pcs` program counters leaf first (pcs[0] = rip) and returns how many.
size_t celf_unwinder_unwind(celf_unwinder *unwinder, int32_t tid, const uint64_t *registers,
                            const uint8_t *stack, size_t stack_size, uint64_t stack_pointer,
                            uint64_t *pcs, size_t max_pcs);

/// Whether the function at `pc` has its frame pointer set up there, from the module's CFI
/// (.eh_frame, then .debug_frame): 1 when the CFA rule is rbp-based, 0 when it is not (rsp-based:
/// rbp is the caller's or a scratch register), -1 when no module or no CFI covers `pc`.
int celf_unwinder_frame_pointer_at(celf_unwinder *unwinder, uint64_t pc);

/// The GNU build id of the module holding `pc` (up to `build_id_capacity` bytes) and `pc`'s offset
/// from the module's start: a key that is the same in every process mapping that file.
/// Returns 0, or -1 when no module holds `pc` or it has no build id.
int celf_unwinder_module_key(celf_unwinder *unwinder, uint64_t pc, uint8_t *build_id, size_t build_id_capacity,
                             size_t *build_id_size, uint64_t *offset);

/* Compiled unwind rules: the CFI at one address reduced to what an x86-64 walk of rip, rsp and rbp
 * needs, so a caller can cache it per address range and unwind without libdw's CFI interpreter. */

/// celf_unwind_rule.status: the rule below applies.
#define CELF_RULE_OK 0
/// CFI covers the address but needs the full interpreter (DWARF expressions, a CFA on another
/// register, a signal frame, a register-held return address): unwind the sample with libdwfl.
#define CELF_RULE_UNSUPPORTED 1
/// No module or no CFI covers the address: libdwfl would guess with frame pointers.
#define CELF_RULE_NO_CFI 2

/// How the caller's value of a register is recovered (celf_unwind_rule.return_address/.frame_pointer).
#define CELF_SAVED_SAME_VALUE 0 /* unchanged in this frame */
#define CELF_SAVED_UNDEFINED 1  /* not recoverable (for the return address: the outermost frame) */
#define CELF_SAVED_AT_CFA 2     /* stored in memory at CFA + offset */

/// The unwind rule at one address: CFA = cfa_register + cfa_offset; the caller's rip and rbp as
/// return_address/frame_pointer say; the caller's rsp = CFA.
typedef struct celf_unwind_rule {
    uint64_t start;  /* runtime addresses [start, end) the rule holds for (the module's bounds included) */
    uint64_t end;
    int64_t cfa_offset;
    int64_t return_address_offset;
    int64_t frame_pointer_offset;
    uint8_t status;          /* CELF_RULE_* */
    uint8_t cfa_register;    /* CELF_X86_64_RSP or CELF_X86_64_RBP */
    uint8_t return_address;  /* CELF_SAVED_* (never SAME_VALUE when status is OK) */
    uint8_t frame_pointer;   /* CELF_SAVED_* */
} celf_unwind_rule;

/// The rule at runtime address `address` (a leaf's rip, or a return address - 1), from the module's
/// .eh_frame, then .debug_frame, as libdwfl's unwinder chooses. Always fills `out`; start/end span
/// just `address` when there is no CFI. Returns out->status.
int celf_unwinder_rule_at(celf_unwinder *unwinder, uint64_t address, celf_unwind_rule *out);

/// One reported module: its runtime bounds, load bias and GNU build id (build_id_size 0 when none).
typedef struct celf_module_range {
    uint64_t low;
    uint64_t high;
    uint64_t bias;
    uint8_t build_id[64];
    size_t build_id_size;
} celf_module_range;

/// Writes up to `capacity` of the session's modules to `out` and returns how many there are
/// (possibly more than `capacity`: call again with a larger array).
size_t celf_unwinder_modules(celf_unwinder *unwinder, celf_module_range *out, size_t capacity);

/// Ends the session.
void celf_unwinder_destroy(celf_unwinder *unwinder);

/* ---------------------------------------------------------------- test support */

/// Captures the calling thread's registers (DWARF order, rip = an address inside this function)
/// and copies up to `capacity` bytes of its stack from the captured rsp upwards, never past the
/// top of the thread's stack. Returns the number of bytes copied (0 on failure).
/// Used by tests to unwind the test process's own stack with the same code path as BPF copies.
size_t celf_capture_current_stack(uint64_t *registers, uint8_t *stack, size_t capacity,
                                  uint64_t *stack_pointer);

/// The return address of this call: an address inside the calling function. Tests use it to get
/// a code address of a known Swift function.
uint64_t celf_caller_address(void);

#ifdef __cplusplus
}
#endif

#endif
