# The two commands a new machine needs: `make run` (install and open the window) and `make test`.
# Both build their own virtual environment in .venv; nothing relies on what happens to be installed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PACKAGE_STAMP := $(VENV)/.installed-package

.PHONY: run demo test lint unit system-deps bench screenshots package package-test clean

# pip compiles the dependencies' bytecode, not an editable project's: without compileall a first `make run` compiles
# every module of the window from source (bench startup --source-only: 2.0-2.2x the bare label, 1.7-1.8x with
# bytecode; an installed program carries its .pyc). Python still recompiles any file edited later.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m compileall -q -j 0 desktop
	touch $(STAMP)

$(PACKAGE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,package]'
	touch $(PACKAGE_STAMP)

system-deps:
	@scripts/system-deps.sh

run: system-deps $(STAMP)
	$(VENV)/bin/disclosure-desk

demo: system-deps $(STAMP)
	$(VENV)/bin/disclosure-desk demo --out $(or $(OUT),out/demo)

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop tests bench scripts packaging
	$(VENV)/bin/mypy

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test: system-deps $(STAMP) lint unit

bench: $(STAMP)
	$(PY) -m bench

screenshots: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py docs

# The one-folder program for this platform, in dist/ (packaging/README.md); about 40 s here.
package: system-deps $(PACKAGE_STAMP)
	$(PY) packaging/build.py

# Builds it, then starts the built binary headless: --version, diagnostics, demo, the window offscreen.
package-test: package
	$(PY) packaging/smoke_test.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build/pyinstaller dist
