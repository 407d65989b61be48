# ordo - the two commands of the README, and a few more.
#
#   make run    install missing Debian packages, build, start the demo
#   make test   install missing Debian packages, build with sanitizers, run every test
#   make bench  run the benchmarks under bench/
#
# Packages are installed with apt-get only when one is missing, so on a
# machine that has them these targets never touch the network.

DEBS := build-essential cmake pkg-config libsqlite3-dev libmicrohttpd-dev \
        libjansson-dev libcurl4-openssl-dev libsodium-dev libcmocka-dev \
        libpq-dev postgresql nginx
BUILD_DIR ?= build
TEST_DIR ?= build-test
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build run test bench clean

all: build

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root to install:$$missing" >&2; exit 1; fi; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/ordo demo

test: deps
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DORDO_SANITIZE=ON -DORDO_WERROR=ON
	cmake --build $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && $(CURDIR)/tests/run-with-postgres ctest --output-on-failure -j $(JOBS)

bench: build
	@if [ -x bench/run ]; then bench/run $(BUILD_DIR); else echo "no benchmarks yet"; fi

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR)
