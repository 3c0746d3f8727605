# DocRelay: two commands on a fresh Debian/Ubuntu machine with Swift: `make test`, `make demo`.
SWIFT ?= swift
APT_PACKAGES := librdkafka-dev libssl-dev libsqlite3-dev kcat pkg-config
BIN := .build/debug/docrelay

.PHONY: deps build test demo bench clean

## deps: install what is missing (librdkafka, OpenSSL and its CLI, SQLite, kcat, pkg-config) with apt-get.
deps:
	@missing=""; \
	pkg-config --version >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	pkg-config --exists rdkafka 2>/dev/null || missing="$$missing librdkafka-dev"; \
	pkg-config --exists openssl 2>/dev/null || missing="$$missing libssl-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	command -v kcat >/dev/null 2>&1 || missing="$$missing kcat"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	  else echo "error: need root or sudo to run: apt-get install -y$$missing" >&2; exit 1; fi; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing || exit 1; \
	fi

## build: the docrelay binary and every test (debug).
build: deps
	$(SWIFT) build --build-tests

## test: build, then run every test; fails on any failure.
test: build
	$(SWIFT) test --skip-build

## demo: DocRelay's demonstration on an embedded Kafka.
demo: deps
	$(SWIFT) build --product docrelay
	$(BIN) demo

## bench: pass-through throughput, raw librdkafka beside our layer, into BENCHMARKS.md.
bench: deps
	$(SWIFT) build -c release --product docrelay-bench
	.build/release/docrelay-bench all --repetitions 5 --output BENCHMARKS.md

clean:
	rm -rf .build
