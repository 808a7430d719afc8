# The book's two commands:
#   make book    build the website into _build/html (creates .venv and installs everything first)
#   make test    run every test: unit tests, nbval on every notebook, the warnings-as-errors
#                build, and the browser tests (the built site, the explorers, the widgets in JupyterLab)
# and the ones contributors need:
#   make notebooks      re-execute every notebook in place (regenerates the stored outputs)
#   make binder-check   a fresh venv from requirements.txt alone runs every notebook (the Binder condition)
#   make constraints    re-pin every transitive dependency from the current .venv
#   make clean

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One BLAS thread: the stored outputs are reproducible only with the thread count they were made with,
# and for these small matrices one thread is also the fastest (see TECH_NOTES).
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with .nbval_sanitize.cfg
BUILD := $(BIN)/jupyter-book build . -W -n --keep-going --all

.PHONY: book test unit nbval build site notebooks binder-check chromium vendor constraints clean

$(BIN)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

vendor: $(BIN)/.installed
	@$(BIN)/python tools/vendor_assets.py

build: $(BIN)/.installed vendor
	@# from clean: Sphinx's viewcode keeps stale source pages otherwise (and with execution off a full build is quick)
	rm -rf _build/html _build/.doctrees
	$(BUILD)

book: build
	@echo
	@echo "The book is built. Open it in a browser:"
	@echo "    file://$(CURDIR)/_build/html/index.html"
	@echo "or serve it:  $(BIN)/python -m http.server -d _build/html 8000   (then http://127.0.0.1:8000)"

chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

unit: $(BIN)/.installed
	$(BIN)/pytest tests -m "not site" -n 2 -q

nbval: $(BIN)/.installed
	$(BIN)/pytest $(NBVAL) -n 2 --dist loadfile -q notebooks

site: $(BIN)/.installed chromium
	rm -f _build/explorer_redraw_ms.txt
	$(BIN)/pytest tests/site -m site -q -n 2
	@test ! -f _build/explorer_redraw_ms.txt || awk -F'\t' '{n++; s+=$$4; if ($$4>m) m=$$4} END \
	  {printf "Explorer redraw after a slider move, in Chromium: %d moves, mean %.2f ms, max %.2f ms\n", n, s/n, m}' \
	  _build/explorer_redraw_ms.txt

test: $(BIN)/.installed chromium
	@echo "== 1/4 unit tests of vae_from_scratch ==" && $(MAKE) --no-print-directory unit
	@echo "== 2/4 nbval: every notebook's stored outputs ==" && $(MAKE) --no-print-directory nbval
	@echo "== 3/4 the website, warnings as errors ==" && $(MAKE) --no-print-directory build
	@echo "== 4/4 browser tests of the built site ==" && $(MAKE) --no-print-directory site

notebooks: $(BIN)/.installed
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

binder-check:
	rm -rf .venv-binder
	$(PYTHON) -m venv .venv-binder
	.venv-binder/bin/python -m pip install --quiet --upgrade pip
	.venv-binder/bin/python -m pip install --quiet -r requirements.txt nbval==0.11.0 pytest==9.2.0 pytest-xdist==3.8.0
	.venv-binder/bin/python -m pip check
	.venv-binder/bin/pytest $(NBVAL) -n 2 --dist loadfile -q -p no:cacheprovider notebooks

constraints: $(BIN)/.installed
	{ echo "# Every transitive dependency, pinned (pip freeze of a working venv). make applies it with -c."; \
	  echo "# Regenerate: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^vae.from.scratch'; } > constraints.txt

clean:
	rm -rf _build _vendor .venv-binder
