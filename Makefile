# ordo - the two commands of the README, and a few more.
#
#   make run    install what building and running needs, build ./build/ordo,
#               start the demo
#   make test   install that and what the tests need, build with sanitizers,
#               run every test
#   make crashtest  the same set-up as make test, then only the crash
#               test, at length: 50 SIGKILL cycles on each backend
#   make valgrind  the same set-up as make test, then every test again with
#               ordo's code under Valgrind's memcheck, in a build of its own
#               without the sanitizers: any error or leak fails (slow)
#   make fuzz   install clang and its libFuzzer, build the fuzz targets
#               (fuzz/) and run each for ORDO_FUZZ_SECONDS (default 60);
#               `make test` runs each for ORDO_FUZZ_BRIEF_SECONDS (10)
#   make bench  install that and what the benchmarks need (wrk, curl),
#               build, run the benchmarks under bench/ and append their
#               figures to bench/results.md
#
# Packages are installed with apt-get only when one is missing, so on a
# machine that has them these targets never touch the network.
#
# Running ordo needs a compiler, CMake and the libraries it is built on;
# nothing more. The tests also need cmocka, and the PostgreSQL and nginx
# servers, which they start themselves (tests/run-with-postgres, the
# multi-node test): so those are installed by `make test` only, and with
# Debian's service start-up forbidden for the time of the install, so that
# no database or web server is left running as a system service.

RUN_DEBS := build-essential cmake pkg-config libsqlite3-dev libmicrohttpd-dev \
            libjansson-dev libcurl4-openssl-dev libsodium-dev libpq-dev
TEST_DEBS := $(RUN_DEBS) libcmocka-dev postgresql nginx curl openssl chromium
# The fuzz targets (fuzz/) are built with clang and its libFuzzer runtime;
# `make test` runs each briefly, so the tests need them too.
FUZZ_DEBS := clang libclang-rt-14-dev
TEST_DEBS += $(FUZZ_DEBS)
# The benchmarks drive ordo over HTTP with wrk and set it up with curl;
# neither running ordo nor its tests need wrk.
BENCH_DEBS := $(RUN_DEBS) wrk curl postgresql
BUILD_DIR ?= build
TEST_DIR ?= build-test
FUZZ_DIR ?= build-fuzz
VALGRIND_DIR ?= build-valgrind
ORDO_FUZZ_SECONDS ?= 60
ORDO_FUZZ_BRIEF_SECONDS ?= 10
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
POLICY_RC_D ?= /usr/sbin/policy-rc.d

# $(call install_missing,PACKAGES): apt-get install those not installed.
# While apt-get runs, /usr/sbin/policy-rc.d answers 101 ("action forbidden")
# to every request to start a service, which invoke-rc.d and
# deb-systemd-invoke honour; an existing policy-rc.d is put back afterwards,
# whatever apt-get did.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root to install:$$missing" >&2; exit 1; fi; \
	  rcd=$(POLICY_RC_D); saved=""; \
	  if [ -e "$$rcd" ]; then saved=$$(mktemp) && cp -p "$$rcd" "$$saved" || exit 1; fi; \
	  trap 'if [ -n "$$saved" ]; then mv -f "$$saved" "$$rcd"; else rm -f "$$rcd"; fi' EXIT; \
	  trap 'exit 130' INT TERM; \
	  printf '#!/bin/sh\nexit 101\n' > "$$rcd" && chmod 755 "$$rcd" || exit 1; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

.PHONY: all deps deps-test deps-bench deps-web build run test crashtest valgrind bench clean

all: build

deps:
	$(call install_missing,$(RUN_DEBS))

deps-test:
	$(call install_missing,$(TEST_DEBS))

deps-bench:
	$(call install_missing,$(BENCH_DEBS))

# The console's npm packages (web/package-lock.json): the charting library
# it serves, and playwright-core for its tests. Node.js and npm come from
# Debian unless the machine has them; npm ci runs again only when the lock
# file changed since it last ran.
deps-web:
	@if ! command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory deps-node; fi
	@if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then \
	  cd web && npm ci --no-audit --no-fund; \
	fi

deps-node:
	$(call install_missing,nodejs npm)

build: deps deps-web
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORDO_TESTS=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/ordo demo

test: deps-test deps-web
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DORDO_SANITIZE=ON -DORDO_WERROR=ON -DORDO_TESTS=ON
	cmake --build $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && $(CURDIR)/tests/run-with-postgres ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz-build
	ORDO_FUZZ_JOBS=$(JOBS) fuzz/run $(FUZZ_DIR) $(ORDO_FUZZ_BRIEF_SECONDS)

# Crash safety at length: tests/crash/crash.c kills `ordo serve` with
# SIGKILL under load CRASH_CYCLES times on each backend, checking what it
# acknowledged after every restart (`make test` runs a few cycles).
CRASH_CYCLES ?= 50
crashtest: deps-test deps-web
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DORDO_SANITIZE=ON -DORDO_WERROR=ON -DORDO_TESTS=ON
	cmake --build $(TEST_DIR) -j $(JOBS) --target ordo crash_test
	ORDO_CRASH_CYCLES=$(CRASH_CYCLES) tests/with-backend sqlite $(TEST_DIR)/tests/crash_test
	ORDO_CRASH_CYCLES=$(CRASH_CYCLES) tests/run-with-postgres tests/with-backend postgres $(TEST_DIR)/tests/crash_test

# The whole suite with ordo under Valgrind's memcheck (tests/CMakeLists.txt,
# ORDO_VALGRIND): the unit and store tests run under it, and every ordo the
# other tests start. CTEST_ARGS picks tests, e.g. CTEST_ARGS="-R unit/".
CTEST_ARGS ?=
valgrind: deps-test deps-web
	$(call install_missing,valgrind)
	cmake -S . -B $(VALGRIND_DIR) -DCMAKE_BUILD_TYPE=Debug -DORDO_WERROR=ON -DORDO_TESTS=ON -DORDO_VALGRIND=ON
	cmake --build $(VALGRIND_DIR) -j $(JOBS)
	cd $(VALGRIND_DIR) && $(CURDIR)/tests/run-with-postgres ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The libFuzzer targets of fuzz/ in a build directory of their own, with
# clang (the libraries they test built there with the fuzzer's coverage and
# the sanitizers); fuzz/run replays fuzz/regressions, then fuzzes each
# target from a scratch copy of its corpus.
.PHONY: deps-fuzz fuzz-build fuzz
deps-fuzz:
	$(call install_missing,$(RUN_DEBS) $(FUZZ_DEBS))

fuzz-build: deps-fuzz
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DORDO_FUZZ=ON -DORDO_TESTS=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target ordo_fuzzers

fuzz: fuzz-build
	fuzz/run $(FUZZ_DIR) $(ORDO_FUZZ_SECONDS)

bench: deps-bench build
	@if [ -x bench/run ]; then bench/run $(BUILD_DIR); else echo "no benchmarks yet"; fi

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR) $(FUZZ_DIR) $(VALGRIND_DIR)
