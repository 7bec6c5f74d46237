# flamelab: `make lab` runs every scenario; `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT      ?= swift
CONFIG     ?= release
BIN        := .build/$(CONFIG)
# Debian packages the build, the tests and the lab use (installed only when missing).
APT_PACKAGES := libbpf-dev libelf-dev libdw-dev libc6-dbg bpftool python3.11-dev libsqlite3-dev sqlite3 zlib1g-dev \
                protobuf-compiler linux-perf bpftrace wrk chromium chromium-driver
# PyPI tools for peer measurements and the browser test.
PIP_PACKAGES := py-spy selenium
PIP        ?= python3 -m pip

.PHONY: all deps bpf build test lab clean help

all: build

help:
	@echo "make lab    - build, then run every scenario (evidence into results/)"
	@echo "make test   - build, then run every test (unit, agent with real BPF, browser, quick lab)"
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
test: bpf
	$(SWIFT) test -c $(CONFIG)
	$(BIN)/lab run all --quick --results results/runs/quick

lab: build
	$(BIN)/lab run all

clean:
	$(MAKE) -C bpf clean
	rm -rf .build
