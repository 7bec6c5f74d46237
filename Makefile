# flamelab: `make lab` runs every scenario; `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT      ?= swift
CONFIG     ?= release
BIN        := .build/$(CONFIG)
# Debian packages the build, the tests and the lab use (installed only when missing).
APT_PACKAGES := libbpf-dev libelf-dev libdw-dev libc6-dbg bpftool python3.11-dev libsqlite3-dev sqlite3 zlib1g-dev \
                protobuf-compiler linux-perf bpftrace wrk chromium chromium-driver prometheus heaptrack libjemalloc2
# PyPI tools for peer measurements and the browser test.
PIP_PACKAGES := py-spy selenium
PIP        ?= python3 -m pip

.PHONY: all deps bpf build test lab clean help slo-rules

all: build

help:
	@echo "make lab    - build, then run every scenario (evidence into results/)"
	@echo "make test   - build, then run every test (promtool rules, unit, agent with real BPF, Google pprof, quick lab)"
	@echo "make build  - BPF objects + Swift products (.build/$(CONFIG)/lab, flamelab-shop)"

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@for p in $(PIP_PACKAGES); do $(PIP) show $$p >/dev/null 2>&1 || { echo "deps: pip install $$p"; $(PIP) install -q $$p; }; done

bpf: deps
	$(MAKE) -C bpf

build: bpf
	$(SWIFT) build -c $(CONFIG)

# `swift test` builds every product too (lab, flamelab-shop) before the tests that run them.
# slo-rules: promtool checks and unit-tests the SLO's Prometheus rules; pprof-bin: Google's pprof, which
# GooglePprofTests runs on flamelab's files.
test: bpf slo-rules pprof-bin
	$(SWIFT) test -c $(CONFIG)
	$(BIN)/lab run all --quick --results results/runs/quick

lab: build
	$(BIN)/lab run all

# The checkout SLO's Prometheus rules (lab/slo/checkout.rules.yml) and the memory alert
# (lab/prometheus/memory.rules.yml): syntax, then promtool unit tests.
slo-rules: deps
	promtool check rules lab/slo/checkout.rules.yml lab/prometheus/memory.rules.yml
	promtool test rules lab/slo/checkout.rules.test.yml lab/prometheus/memory.rules.test.yml

clean:
	$(MAKE) -C bpf clean
	rm -rf .build

# --- pprof: Google's pprof binary and Swift types for its profile.proto (neither is part of `make test`) ---
# Debian packages `pprof-bin` builds pprof from offline: the Go toolchain, pprof's source and what it imports.
PPROF_PACKAGES := golang-go golang-github-google-pprof-dev golang-github-ianlancetaylor-demangle-dev \
                  golang-github-chzyer-readline-dev golang-golang-x-sys-dev
# pprof's profile.proto as Debian ships it (golang-github-google-pprof-dev; not copied into the repository),
# the swift-protobuf release whose protoc-gen-swift turns it into Swift, and where that plugin is built.
PPROF_PROTO_DIR  := /usr/share/gocode/src/github.com/google/pprof/proto
SWIFT_PROTOBUF   := 1.39.0
PROTOC_GEN_SWIFT := .build-protoc-gen-swift
PPROF_PROTO_OUT  := Sources/ProfileModel/Codecs/Generated
PPROF_PROTOC     := protoc --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT)/scratch/debug/protoc-gen-swift \
                    --swift_opt=Visibility=Internal --swift_out=$(PPROF_PROTO_OUT) -I $(PPROF_PROTO_DIR) profile.proto

.PHONY: pprof-bin pprof-proto

# .build/pprof/pprof, built offline with Go from PPROF_PACKAGES (skips when up to date).
pprof-bin:
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(PPROF_PACKAGES)" PIP_PACKAGES=
	lab/pprof/build-pprof.sh

# Regenerates $(PPROF_PROTO_OUT)/profile.pb.swift: builds protoc-gen-swift (debug) from a swift-protobuf
# clone in $(PROTOC_GEN_SWIFT) (a package of its own, not flamelab's .build), runs protoc, prepends the header.
pprof-proto:
	@$(MAKE) --no-print-directory deps APT_PACKAGES="protobuf-compiler golang-github-google-pprof-dev" PIP_PACKAGES=
	@[ -d $(PROTOC_GEN_SWIFT)/swift-protobuf ] || git clone -q https://github.com/apple/swift-protobuf $(PROTOC_GEN_SWIFT)/swift-protobuf
	@git -C $(PROTOC_GEN_SWIFT)/swift-protobuf checkout -q $(SWIFT_PROTOBUF) 2>/dev/null || \
	  { git -C $(PROTOC_GEN_SWIFT)/swift-protobuf fetch -q --tags origin && git -C $(PROTOC_GEN_SWIFT)/swift-protobuf checkout -q $(SWIFT_PROTOBUF); }
	$(SWIFT) build --package-path $(PROTOC_GEN_SWIFT)/swift-protobuf --scratch-path $(PROTOC_GEN_SWIFT)/scratch --product protoc-gen-swift
	mkdir -p $(PPROF_PROTO_OUT)
	$(PPROF_PROTOC)
	@f=$(PPROF_PROTO_OUT)/profile.pb.swift; { \
	  echo "// flamelab: Swift types for pprof's profile.proto, generated: do not edit. ProfileModel wraps them (internal)."; \
	  echo "// Regenerate with \`make pprof-proto\`: it builds protoc-gen-swift from swift-protobuf $(SWIFT_PROTOBUF) in $(PROTOC_GEN_SWIFT),"; \
	  echo "// then runs, from the repository root:"; \
	  echo "//   $(PPROF_PROTOC)"; \
	  echo "// swift-protobuf: $(SWIFT_PROTOBUF) (the SwiftProtobuf runtime linked with this file must be the same release)."; \
	  echo "// protoc: $$(protoc --version) (Debian protobuf-compiler)."; \
	  echo "// profile.proto: $(PPROF_PROTO_DIR)/profile.proto from Debian's golang-github-google-pprof-dev"; \
	  echo "//   $$(dpkg-query -W -f='$${Version}' golang-github-google-pprof-dev) (not copied into this repository)."; \
	  echo; cat "$$f"; } > "$$f.tmp" && mv "$$f.tmp" "$$f"
	@echo "pprof-proto: wrote $(PPROF_PROTO_OUT)/profile.pb.swift"
