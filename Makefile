# mlp.cpp: `make` builds into build/ (CLI at build/mlp, Python module in build/python);
# `make demo` runs the tutorial; `make test` runs every test (the Python module's too);
# `make python` builds the module alone. Each first installs missing system packages (scripts/setup.sh).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup build demo test bench clean golden python

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The Python module: $(BUILD)/python holds mlpcpp (PYTHONPATH=$(BUILD)/python /usr/bin/python3).
python: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) --target python -j $(JOBS)

demo: build
	@./$(BUILD)/mlp demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Microbenchmarks, then the end-to-end comparisons against PyTorch and numpy (docs/benchmarks.md).
bench:
	@BUILD=$(BUILD) CMAKE_FLAGS="$(CMAKE_FLAGS)" bash scripts/bench.sh

# Regenerates the golden data in tests/data (every scripts/gen_*.py) with Debian's numpy, PyTorch and scikit-learn.
golden:
	@bash scripts/setup.sh --reference
	@bash scripts/generate_golden.sh

clean:
	@rm -rf $(BUILD)
