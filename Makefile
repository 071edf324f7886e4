# Quick start: `make demo` runs a scan on the bundled samples; `make test` runs the test suite.
# Both create the virtual environment (.venv) and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench venv system-deps clean screenshots

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

system-deps:
	bash scripts/system-deps.sh

demo: $(BIN)/.installed
	bash scripts/demo.sh

# Two test processes (pytest-xdist; the CI machine has 2 cores), a test module at a time, so module fixtures run
# once. Each process has its own PostgreSQL databases, SQLite files and ports. PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2

test: $(BIN)/.installed system-deps
	$(BIN)/python -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadscope

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy

bench: $(BIN)/.installed system-deps
	$(BIN)/python bench/bench_static.py
	$(BIN)/python bench/bench_trace.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/eval_policy.py

# Screenshots of every console page, per role, for review (build/screenshots/; needs chromium: make system-deps)
screenshots: $(BIN)/.installed system-deps
	$(BIN)/python tools/screenshots.py --out build/screenshots

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist src/*.egg-info bench/_work
