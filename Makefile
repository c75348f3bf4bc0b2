# runner: `make install` then `make test`; `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RECIPE ?= recipes/quickstart.yaml
ARGS ?=

.PHONY: help install test test-fast lint format run validate show bench bench-gpu screenshot clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'
	@echo "  variables: RECIPE=path/to/recipe.yaml (default $(RECIPE)), ARGS='key=value ...'"

install: $(VENV)/.installed  ## create .venv with runner, both backends and the test tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --no-cache-dir --upgrade pip
	# torch and torchvision are pinned in pyproject.toml (2.14.1 / 0.29.1).
	$(BIN)/pip install --no-cache-dir -e '.[lightning,paddle,sweep,deploy,dev]'
	# The report's browser test drives Debian's Chromium and the sweep tests start a throwaway
	# PostgreSQL cluster (tests/postgres.py); as root (CI), install each when missing.
	@if [ "$$(id -u)" = 0 ] && ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then \
		apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
	fi
	@if [ "$$(id -u)" = 0 ] && ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		&& command -v apt-get >/dev/null; then \
		apt-get install -y -q postgresql || { apt-get update -q && apt-get install -y -q postgresql; }; \
	fi
	touch $@

test: lint  ## lint, check the import layers, then run the whole test suite
	$(BIN)/python -m pytest

test-fast: lint  ## the same, leaving out the training runs that take a minute or more
	$(BIN)/python -m pytest -m "not slow"

lint: install  ## ruff (lint and format) and the import layers pyproject.toml declares
	$(BIN)/ruff check runner tests benchmarks
	$(BIN)/ruff format --check runner tests benchmarks
	$(BIN)/lint-imports

format: install  ## let ruff fix what it can and format every file
	$(BIN)/ruff check --fix runner tests benchmarks
	$(BIN)/ruff format runner tests benchmarks

run: install  ## train RECIPE (default: the quickstart, no network needed)
	$(BIN)/runner run $(RECIPE) $(ARGS)

validate: install  ## check RECIPE and print every mistake
	$(BIN)/runner validate $(RECIPE) $(ARGS)

show: install  ## print RECIPE resolved, with its plan and derived numbers
	$(BIN)/runner show $(RECIPE) $(ARGS)

bench: install  ## print speed figures beside their baselines (validate, data path, epoch time, Paddle, report, detection, sweep, predict)
	$(BIN)/python benchmarks/validate_speed.py
	$(BIN)/python benchmarks/data_path.py
	$(BIN)/python benchmarks/epoch_time.py
	$(BIN)/python benchmarks/paddle_epoch_time.py
	$(BIN)/python benchmarks/report_time.py
	$(BIN)/python benchmarks/detection_step.py
	$(BIN)/python benchmarks/sweep_overhead.py
	$(BIN)/python benchmarks/predict_speed.py

bench-gpu: install  ## on a CUDA GPU: training images/s of both backends beside hand-tuned loops (ResNet-18, bf16)
	$(BIN)/python benchmarks/gpu_throughput.py

screenshot: install  ## train the quickstart and photograph its report in Chromium: docs/report.png
	rm -rf .screenshot && mkdir -p .screenshot docs
	cd .screenshot && ../$(BIN)/runner run ../recipes/quickstart.yaml
	$(BIN)/python -m tests.report.browser .screenshot/runs/quickstart-*/report/index.html docs/report.png
	rm -rf .screenshot

clean:  ## remove .venv and caches (runs/ and data/ are kept)
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
