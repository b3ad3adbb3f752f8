# The two commands: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FIELDKIT_DB ?= data/fieldkit.db
PORT ?= 8501
ADDRESS ?= 0.0.0.0

.PHONY: run test lint venv dev clean bench

# The venv is rebuilt when a requirements file changes; a stamp file records it.
# Then what the server makes of Streamlit's files at a start (its scripts compressed,
# the icon font cut) is made ahead of time: the first start answers its first phone at once.
$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m fieldkit.web.prepare
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	FIELDKIT_DB=$(FIELDKIT_DB) $(BIN)/python -m streamlit run app.py \
		--server.address $(ADDRESS) --server.port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

# The benchmark on a heavy user's database, on a venue's Wi-Fi and on business
# card photos (minutes, not part of `make test`). BENCH_ARGS=--quick for a rough
# look, --only PART for one part; results also go to bench/results.json. Its Lighthouse part installs
# Lighthouse with npm into bench/.node/ on first use (not measured without npm).
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)
