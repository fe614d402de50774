# The two commands a new machine needs: `make run` (install and open the window) and `make test`.
# Both build their own virtual environment in .venv; nothing relies on what happens to be installed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint unit system-deps bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	@scripts/system-deps.sh

run: system-deps $(STAMP)
	$(VENV)/bin/disclosure-desk

demo: system-deps $(STAMP)
	$(VENV)/bin/disclosure-desk demo --out $(or $(OUT),out/demo)

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop tests bench scripts
	$(VENV)/bin/mypy

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test: system-deps $(STAMP) lint unit

bench: $(STAMP)
	$(PY) -m bench

screenshots: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py docs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
