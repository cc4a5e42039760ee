# Two entry points: `make serve` (build the release, serve it) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install serve build test lint bench

$(BIN)/tilod: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/tilod

build: install
	$(BIN)/tilod build

serve: build
	$(BIN)/tilod serve

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest
