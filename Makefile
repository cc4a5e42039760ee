# Two entry points: `make serve` (build the release, serve it) and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
# the query page's editor (YASGUI), vendored from the npm registry: served by tilod, never by a CDN
VENDOR := src/tilod/serving/static/vendor/yasgui
NPM_DONE := web/node_modules/.package-lock.json

.PHONY: install assets browser serve build test lint bench outlines

$(BIN)/tilod: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(NPM_DONE): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --ignore-scripts
	touch $@

$(VENDOR)/yasgui.min.js: $(NPM_DONE)
	mkdir -p $(VENDOR)
	cp web/node_modules/@zazuko/yasgui/build/yasgui.min.js web/node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/
	cp web/node_modules/@zazuko/yasgui/LICENSE $(VENDOR)/LICENSE 2>/dev/null || \
		node -e 'console.log("@zazuko/yasgui " + require("./web/node_modules/@zazuko/yasgui/package.json").version + ", MIT licence")' > $(VENDOR)/LICENSE
	touch $@

install: $(BIN)/tilod assets

assets: $(VENDOR)/yasgui.min.js

# the browser tests drive Debian's Chromium (Playwright's own browser download is not used);
# the HTML checker (vnu.jar) needs a Java runtime; the proxy tests run Debian's nginx
browser:
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; fi

build: install
	$(BIN)/tilod build

serve: build
	$(BIN)/tilod serve

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy

test: lint browser
	$(BIN)/pytest

# Remakes data/geometries/communes-*.geojson from france-geojson's commune files (a checkout of
# gregoiredavid/france-geojson, or a folder of its communes-*.geojson): every département read
# as one topology (shared borders stay shared), Douglas-Peucker at 50 m, repaired (mapshaper -clean,
# filling no gap: a gap filled would move a border further than 50 m), 5 decimals. E.g. make outlines FRANCE_GEOJSON=../france-geojson
OUTLINE_TOLERANCE_M := 50
outlines: $(NPM_DONE)
	@test -n "$(FRANCE_GEOJSON)" || { echo "make outlines FRANCE_GEOJSON=<folder of france-geojson>"; exit 2; }
	web/node_modules/.bin/mapshaper -i combine-files $$(find $(FRANCE_GEOJSON) -name 'communes-*.geojson' | sort) \
		-simplify dp interval=$(OUTLINE_TOLERANCE_M) keep-shapes -clean gap-fill-area=0 \
		-o data/geometries/ format=geojson precision=0.00001 extension=geojson
