# Waveglass: `make demo` and `make test` are all a new clone needs.
SHELL := /bin/sh
# mediapipe 0.10.21 ships wheels for CPython 3.9-3.12: take the first such interpreter.
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.waveglass-installed
PYTEST_ARGS ?=

.PHONY: setup system-deps demo test test-unit test-gl test-e2e fuzz lint typecheck bench clean

setup: system-deps $(STAMP)

system-deps:
	@sh scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "setup: need Python 3.10-3.12 (mediapipe 0.10.21 has no wheels for others)"; exit 1; fi
	@# A venv whose pip never installed (no python3-venv at the time) is made again.
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# The tour's stills, then the emulator on its embedded session: in a window when there
# is a display, else headless into out/demo/emulator.mp4 (with its per-frame trace).
demo: setup
	$(BIN)/python demos/glasses_tour.py --out-dir out/demo --no-window
	@rm -f out/demo/emulator.mp4 out/demo/emulator.jsonl
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "opening the emulator (? lists its keys, Esc quits)"; $(BIN)/hud emulate; \
	else \
		$(BIN)/hud emulate --headless --out out/demo/emulator.mp4 --trace out/demo/emulator.jsonl; \
	fi

test: setup lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-unit: setup
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

test-gl: setup
	$(BIN)/python -m pytest tests/gl $(PYTEST_ARGS)

test-e2e: setup
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# Longer fuzzing before a release: the fuzz tests (`make test` runs them briefly) with
# thousands of examples each (FUZZ_EXAMPLES=N to change; a few minutes in all).
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests -m fuzz $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check hud gestures demos tests tools
	$(BIN)/ruff format --check hud gestures demos tests tools

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/hud bench --json

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache tests/_artifacts
