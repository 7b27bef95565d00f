# regbook: build the book and run every test.
#
#   make book      create .venv, install, build the HTML book into _build/html
#   make test      unit tests + doctests, strict nbval over every notebook, book build with -W
#
# See README.md for the other targets.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
# Every notebook nbval executes: chapters and assignment masters, not the generated
# student/solution versions (tests/test_assign.py checks those).
NOTEBOOKS = $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' -not -path '*/_build/*' \
              -not -path 'book/exercises/student/*' -not -path 'book/exercises/solutions/*' | sort)
MASTERS   = $(sort $(wildcard book/exercises/a[0-9][0-9]_*.ipynb))
SUBMISSIONS ?= submissions

# The settings under which notebooks are executed, both by CI (nbval) and by
# `make outputs`, so that committed outputs and re-executed outputs agree.
export OMP_NUM_THREADS      := 1
export MKL_NUM_THREADS      := 1
export OPENBLAS_NUM_THREADS := 1
export PYTHONHASHSEED       := 0
export MPLBACKEND           := module://matplotlib_inline.backend_inline
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NBVAL_FLAGS = --nbval --nbval-current-env --nbval-sanitize-with book/sanitize.cfg \
              --nbval-cell-timeout=300 -p no:cacheprovider

.PHONY: help install book test test-unit test-notebooks test-book test-browser browser-deps outputs sync exercises grade clean

help:
	@sed -n '1,10p' Makefile

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --keep-going
	@echo
	@echo "Book built: $(CURDIR)/_build/html/index.html"

# The book build first, then one pytest session for the unit tests, the doctests and
# every notebook, so that the closing summary line counts all of them.
test: browser-deps test-book
	$(BIN)/python -m pytest tests regbook --doctest-modules $(NBVAL_FLAGS) $(NOTEBOOKS) -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests regbook --doctest-modules -q

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL_FLAGS) $(NOTEBOOKS) -q

# Debian's chromium (and a CJK font for the Chinese terms) for tests/test_browser.py,
# installed with apt-get when missing and running as root, as in CI. Otherwise the
# browser test skips with a message, except under CI (CI set), where it fails.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser test (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "chromium is not installed and this is not root: tests/test_browser.py will skip (and fail under CI)"; \
	  fi; \
	fi

test-browser: browser-deps test-book
	$(BIN)/python -m pytest tests/test_browser.py -q -p no:cacheprovider

test-book: $(STAMP)
	rm -rf _build/html
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Book built with zero warnings: $(CURDIR)/_build/html/index.html"

# Re-execute every notebook in place, top to bottom in a fresh kernel, with the
# settings CI uses; run after changing a chapter's paired .py file or regbook.
outputs: $(STAMP) sync
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)
	$(BIN)/jupytext --sync $(NOTEBOOKS)
	$(BIN)/python -m regbook.assign generate $(MASTERS)

# Write the student and solution versions of every assignment master (deterministic).
exercises: $(STAMP)
	$(BIN)/python -m regbook.assign generate $(MASTERS)

# Grade a folder of submitted notebooks: make grade SUBMISSIONS=path/to/folder -> scores.csv
grade: $(STAMP)
	$(BIN)/python -m regbook.assign grade $(SUBMISSIONS) --out scores.csv --masters book/exercises

# Bring each .ipynb and its paired jupytext .py file in step (the newer one wins).
sync: $(STAMP)
	$(BIN)/jupytext --sync $(NOTEBOOKS)

clean:
	rm -rf _build .pytest_cache
