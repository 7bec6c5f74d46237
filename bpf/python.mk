# python.mk: build rules of the CPython 3.11 frame walker. Included by bpf/Makefile (`include python.mk`);
# also usable alone: `make -f bpf/python.mk PY_STANDALONE=1 python` (the Python tests do this).
#
# Gives:  $(PY_OFFSETS_H)  offsets generated from the installed CPython headers (gen_python_offsets.c);
#                          every .bpf.o that includes python_walker.bpf.h must depend on it.
#         $(PY_TEST_OBJ)   the walker's own test program (pywalk_test.bpf.c).
# Needs:  $(OUTPUT)/vmlinux.h, made by bpf/Makefile (or here when PY_STANDALONE=1).

PY_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
OUTPUT ?= $(PY_MK_DIR)/.output
PY_BPF_CLANG ?= $(or $(CLANG),/opt/swift/usr/bin/clang)
PY_HOSTCC ?= cc
PY_HEADERS ?= /usr/include/python3.11
PY_OFFSETS_H := $(OUTPUT)/python311_offsets.h
PY_TEST_OBJ := $(OUTPUT)/pywalk_test.bpf.o
PY_WALKER_DEPS := $(PY_MK_DIR)/python.h $(PY_MK_DIR)/python_walker.bpf.h $(PY_OFFSETS_H)

.PHONY: python
python: $(PY_OFFSETS_H) $(PY_TEST_OBJ)

$(OUTPUT)/gen_python_offsets: $(PY_MK_DIR)/gen_python_offsets.c
	@test -f $(PY_HEADERS)/internal/pycore_frame.h || \
		{ echo "failed to build gen_python_offsets: $(PY_HEADERS)/internal missing (apt-get install python3.11-dev)" >&2; exit 1; }
	@mkdir -p $(@D)
	$(PY_HOSTCC) -Wall -DPy_BUILD_CORE -I$(PY_HEADERS) -I$(PY_HEADERS)/internal $< -o $@

$(PY_OFFSETS_H): $(OUTPUT)/gen_python_offsets
	$< > $@.tmp && mv $@.tmp $@

$(PY_TEST_OBJ): $(PY_MK_DIR)/pywalk_test.bpf.c $(PY_MK_DIR)/pywalk_test.h $(PY_WALKER_DEPS) $(OUTPUT)/vmlinux.h
	$(PY_BPF_CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 -I$(OUTPUT) -I$(PY_MK_DIR) -c $< -o $@

ifdef PY_STANDALONE
$(OUTPUT)/vmlinux.h:
	@mkdir -p $(@D)
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@
endif
