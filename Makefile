# The two Quick start commands. Both need only Python >= 3.10 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test docs book clean
# everything the notebooks use: dev tools, baselines (reservoirpy, PyTorch CPU), the weather data, the dysts flows, Dask and Parquet
DEV_EXTRAS := dev,compare,data,dysts,dask,parquet

demo: $(VENV)/.installed-lib
	$(BIN)/gfrnn demo

test: $(VENV)/.installed-dev
	$(BIN)/python .ci/test.py

# what can be checked of the docs site without Quarto: execute, nbdev-process, render, browser-test
docs: $(VENV)/.installed-dev
	$(BIN)/python .ci/docs.py

# every notebook (index, tutorials, chapters) executed at full size, outputs stored in the notebooks; the README's figure and tables
book: $(VENV)/.installed-dev
	$(BIN)/python .ci/book.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# re-install when the requirements change
$(VENV)/.installed-lib: $(BIN)/python setup.py settings.ini
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python setup.py settings.ini
	$(BIN)/python -m pip install -q -e ".[$(DEV_EXTRAS)]"
	touch $@ $(VENV)/.installed-lib

clean:
	rm -rf $(VENV) _docs _proc
