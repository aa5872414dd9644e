# The two commands of the README: `make run` and `make test`.
# Builds are serialised through a lock so that parallel shells (or helpers)
# never run two compilations at once on this 2-core machine.
BUILD      ?= build
ASAN_BUILD ?= build-asan
LISTEN     ?= 127.0.0.1:7070
DATA_DIR   ?= ./weft-data
JOBS       ?= $(shell nproc)
LOCK       := flock /tmp/weft-build.lock
# ccache, when present, makes rebuilds in a fresh clone cheap (CI builds a new
# clone on a machine that may have built the same sources before). Paths are
# made relative to the clone so that two clones share cache entries.
CCACHE     := $(shell command -v ccache 2>/dev/null)
CMAKE_ARGS := -G Ninja $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: run test deps build test-unit test-asan format clean bench

run: build
	./$(BUILD)/weft server --listen $(LISTEN) --data-dir $(DATA_DIR)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	$(LOCK) cmake --build $(BUILD) -j $(JOBS)

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=Debug -DWEFT_SANITIZE=ON -DWEFT_UNIT_TESTS_ONLY=ON
	$(LOCK) cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L unit

bench: build
	bench/run.sh

format:
	find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
