# Two entry points: `make run` (dashboard on the shipped weights) and `make test` (lint + the suite but its long
# end-to-end scenarios, which `make scenario-test` runs; CI runs both).
# Each creates the virtual environment it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test scenario-test lint format train-all benchmark load-test protocol-load screenshots

run: $(VENV)/.installed
	$(BIN)/python -m dashboard.serve

test: $(VENV)/.installed system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -m "not scenario"

scenario-test: $(VENV)/.installed system-packages
	$(BIN)/python -m pytest -m scenario

lint: $(VENV)/.installed
	$(BIN)/ruff check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

train-all: $(VENV)/.installed system-packages
	$(BIN)/python -m ae_models train-all --force

benchmark: $(VENV)/.installed system-packages
	$(BIN)/python -m benchmarks.run_benchmarks

screenshots: $(VENV)/.installed system-packages  # refresh the README's pictures (tests alone write to artifacts/)
	AE_SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py tests/test_browser_map.py tests/test_presenter_browser.py tests/test_train_live_browser.py

load-test: $(VENV)/.installed system-packages
	$(BIN)/python -m benchmarks.load_test

protocol-load: $(VENV)/.installed
	$(BIN)/python -m benchmarks.protocol_load

.PHONY: system-packages
system-packages:
	bash scripts/install_system_packages.sh

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@
