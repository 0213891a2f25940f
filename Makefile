# mlp.cpp: `make` builds into build/ (CLI at build/mlp, Python module in build/python) with what
# is installed; `make setup` installs the missing system packages (scripts/setup.sh, apt-get), and
# `make demo` (the tutorial), `make test` (every test, the Python module's too), `make python`
# (the module alone), `make sanitize` and `make fuzz` run it first.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup build demo test bench clean golden python sanitize fuzz

all: build

setup:
	@bash scripts/setup.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The Python module: $(BUILD)/python holds mlpcpp (PYTHONPATH=$(BUILD)/python /usr/bin/python3).
python: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) --target python -j $(JOBS)

demo: setup
	@$(MAKE) --no-print-directory build
	@./$(BUILD)/mlp demo

test: setup
	@$(MAKE) --no-print-directory build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Microbenchmarks, then the end-to-end comparisons against PyTorch and numpy (docs/benchmarks.md).
bench:
	@BUILD=$(BUILD) CMAKE_FLAGS="$(CMAKE_FLAGS)" bash scripts/bench.sh

# Regenerates the golden data in tests/fixtures (every scripts/gen_*.py) with Debian's numpy, PyTorch and scikit-learn.
golden:
	@bash scripts/setup.sh --reference
	@bash scripts/generate_golden.sh

clean:
	@rm -rf $(BUILD)

# The library and every test built with AddressSanitizer and UndefinedBehaviorSanitizer (-O1);
# any report fails the test it happens in. (Not the Python module, which would need a sanitized
# interpreter, nor the package consumers, which link without the sanitizers.) .ci/run runs it.
SANITIZE_BUILD ?= build-sanitize
sanitize: setup
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" \
	  -DMLP_SANITIZE=address,undefined -DMLP_BUILD_PYTHON=OFF -DMLP_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	@cd $(SANITIZE_BUILD) && ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -E '^(Package\.|Distributed\.|Mpi/)'
	@# Open MPI's own allocations outlive MPI_Finalize (LeakSanitizer reports them in libmpi and in
	@# its unloaded plug-ins): the data-parallel tests run with leak detection off, the rest on.
	@cd $(SANITIZE_BUILD) && ASAN_OPTIONS=halt_on_error=1:detect_leaks=0 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -R '^(Distributed\.|Mpi/)'

# libFuzzer targets (clang) over the readers and ONNX import, FUZZ_SECONDS each (scripts/fuzz.sh).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: setup
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g" \
	  -DMLP_SANITIZE=address,undefined,fuzzer-no-link -DMLP_BUILD_FUZZ=ON -DMLP_BUILD_TESTS=OFF \
	  -DMLP_BUILD_PYTHON=OFF -DMLP_BUILD_BENCH=OFF -DMLP_BUILD_EXAMPLES=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
