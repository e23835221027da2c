# Two commands on a fresh machine with only python3: `make build` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: build test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(PIP) -r requirements.lock
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PIP) -r requirements-dev.lock
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	touch $@

# Offline, or to skip downloads: `make build SOURCES=folder-with-the-pinned-files`.
build: $(VENV)/.runtime
	$(BIN)/newserrata build $(if $(SOURCES),--sources-dir $(SOURCES))

test: $(VENV)/.dev
	$(BIN)/ruff check builder tests bench integrations
	$(BIN)/python -m pytest

# The WMT benchmarks read the WMT MQM files: `make bench WMT=folder-with-the-files`.
bench: $(VENV)/.dev
	$(BIN)/python bench/bench_validate.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_score.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_mqm_import.py $(if $(WMT),$(WMT)/sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.tar.gz)
	$(if $(WMT),$(BIN)/python bench/check_mqm_scores.py $(WMT)/mqm_ted_ende.tsv $(WMT)/mqm_ted_ende.avg_seg_scores.tsv)

clean:
	rm -rf $(VENV) dist
