# AdScale: `make up` runs the platform, `make test` proves it. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export ADSCALE_HOME ?= $(CURDIR)/.adscale
export PATH := $(HOME)/.local/bin:$(PATH)
UV_RUN := uv run --locked --no-sync
# `make up SCALE=N`: N instances of every API process and worker (deploy/stack.py).
ifdef SCALE
export ADSCALE_SCALE := $(SCALE)
endif

.PHONY: help deps secrets provision up down status logs test test-fast lint fmt migrate bench env observe chaos

help:
	@echo "make up [SCALE=N] | down | status | logs [SINCE=1h] [ID=...] | test | lint | fmt | migrate | bench | observe | chaos"

deps:
	@command -v uv >/dev/null 2>&1 || { echo "installing uv"; python3 -m pip install --quiet --user uv || python3 -m pip install --quiet --break-system-packages uv; }
	@uv sync --locked --quiet

secrets: deps
	@$(UV_RUN) python deploy/devsecrets.py

provision: secrets
	@bash deploy/provision.sh up

up: provision
	@$(UV_RUN) python deploy/stack.py up

down:
	@if [ -d .venv ]; then $(UV_RUN) python deploy/stack.py down; fi
	@bash deploy/provision.sh down

status:
	@$(UV_RUN) python deploy/stack.py status
	@bash deploy/provision.sh status

# `make logs`: the last hour's warnings and errors of every process, by kind (SINCE=15m,
# 2h, 1d); `make logs ID=<request, trace, event or job id>`: its lines in every process.
logs:
	@if [ -n "$(ID)" ]; then $(UV_RUN) python deploy/logs.py follow-id "$(ID)"; \
	else $(UV_RUN) python deploy/logs.py summary --since "$(or $(SINCE),1h)"; fi

# Faults under load (deploy/chaos.py): restarts Kafka and PostgreSQL, stops Redis for 10 s.
chaos: provision
	@$(UV_RUN) python deploy/chaos.py

# Prometheus (deploy/observability) scraping the running stack, in the foreground.
observe:
	@bash deploy/provision.sh observe

env:
	@$(UV_RUN) python deploy/stack.py env

migrate: provision
	@$(UV_RUN) python deploy/stack.py migrate

test: provision
	@$(UV_RUN) python deploy/run_tests.py

lint: deps
	@$(UV_RUN) ruff check .
	@$(UV_RUN) ruff format --check .
	@$(UV_RUN) mypy libs/common/src libs/contracts/src libs/platforms/src
	@$(UV_RUN) python deploy/webapp.py lint

fmt: deps
	@$(UV_RUN) ruff format .
	@$(UV_RUN) ruff check --fix .

bench: up
	@for b in bench/*.py; do echo "== $$b"; $(UV_RUN) python $$b; done
