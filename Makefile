# CQL Bot. `make run` starts everything; `make test` checks everything.
# Both set up what they need first: the two venvs, migrations, the model.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Two environments: the Rasa server's (Rasa 3.6 and rasa_server/ only, on the newest Python
# Rasa 3.6 runs on) and everything else's, on a supported Python.
PYTHON_VERSION := 3.12
RASA_PYTHON_VERSION := 3.10
VENV := .venv
PY := $(VENV)/bin/python
RASA_VENV := .venv-rasa
RASA_PY := $(RASA_VENV)/bin/python
RASA := PYTHONPATH=. $(RASA_VENV)/bin/rasa

# Local settings (see .env.example); never committed.
-include .env
export

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: help install packages-test packages-cluster packages-bench packages-run migrate check rescore repair bench-scoring bench-api bench-availability bench-booking bench-flood bench bench-outbox bench-repair bench-dashboard bench-cluster run-cluster route model run lint typecheck unit rasa-validate rasa-test integration test nlu-eval nlu-cv lock lock-rasa clean

help:
	@echo "make run    start the bot, the action server and the web page (http://localhost:8000)"
	@echo "make test   lint, type check, unit tests, Rasa data validation and story tests, integration tests"
	@echo "make check  validate ops/*.yml against domain.yml"
	@echo "make rescore  preview how ops/scoring.yml changes stored leads (ARGS=--apply writes)"
	@echo "make repair  bring the lead store level with the conversations' trackers"
	@echo "make route LEAD=<json or lead id>  explain how a lead is routed, without booking"
	@echo "make nlu-eval  intent accuracy on the held-out visitor messages (tests/nlu_eval/)"

$(VENV)/.installed: requirements.lock
	@python=$$(scripts/find_python.sh $(PYTHON_VERSION)) && \
	  { [ -x $(PY) ] || "$$python" -m venv $(VENV); }
	$(PY) -m pip install --quiet --no-input -r requirements.lock
	touch $@

$(RASA_VENV)/.installed: requirements-rasa.lock
	@python=$$(scripts/find_python.sh $(RASA_PYTHON_VERSION)) && \
	  { [ -x $(RASA_PY) ] || "$$python" -m venv $(RASA_VENV); }
	$(RASA_PY) -m pip install --quiet --no-input -r requirements-rasa.lock
	touch $@

install: $(VENV)/.installed $(RASA_VENV)/.installed

# The Debian packages a command needs (scripts/system-packages.tsv says which and why):
# installed through apt-get as root or with sudo, otherwise named with the command to run.
packages-test packages-cluster packages-bench packages-run: packages-%:
	@scripts/system_packages.sh $*

migrate: install
	$(PY) -m alembic upgrade head

check: install
	$(PY) -m bot.check

model: install
	scripts/train_if_changed.sh

run: packages-run install migrate check model
	$(PY) -m bot.processes.stack

# Two of each process behind nginx on PostgreSQL and Redis (docs/deploy.md); needs Debian's
# nginx-light, redis-server and postgresql. Front on CLUSTER_PORT (8080).
run-cluster: packages-cluster install check model
	$(PY) -m bot.processes.cluster $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy bot calendar_booking answers
	$(RASA_VENV)/bin/mypy --python-version $(RASA_PYTHON_VERSION) rasa_server

# Preview what the current ops/scoring.yml changes on stored leads; ARGS=--apply writes it.
rescore: migrate
	$(PY) -m bot.rescore $(ARGS)

# Bring the lead store level with Rasa's trackers (consent, answers, score), e.g. after an outage.
repair: migrate
	$(PY) -m bot.cli.repair

# Turn latency and throughput at 1, 8, 32 and 64 visitors: the full stack against the
# bench/baseline form bot, side by side (about 15 minutes); ARGS="--levels 1 8" for less.
bench: packages-bench install model
	$(PY) -m benchmarks.turns $(ARGS)

# Scoring throughput (a measurement, not part of make test; see docs/benchmarks.md).
bench-scoring: install
	$(PY) -m benchmarks.scoring

# Lead API latency on 10,000 stored leads (BENCH_DATABASE_URL=postgresql://... to use PostgreSQL).
bench-api: install
	$(PY) -m benchmarks.api

# Free-slot computation for 50 AEs x 14 days x 30 busy blocks (target <= 50 ms).
bench-availability: install
	$(PY) -m benchmarks.availability

# Booking turn latency against a running stack (`make run` first); ARGS="--visitors 40 --concurrency 8".
bench-booking: install
	$(PY) -m benchmarks.booking $(ARGS)

# One sender flooding the chat beside 20 ordinary visitors; fails if their p95 is over 2x the unloaded one.
bench-flood: install migrate model
	$(PY) -m benchmarks.flood $(ARGS)

# The cluster under 64 concurrent visitors: no lost or reordered turns, no double booking,
# fair round-robin, every alert exactly once (exits 1 when a check fails); ARGS="--visitors 128".
bench-cluster: packages-cluster install model
	$(PY) -m benchmarks.cluster $(ARGS)

# Outbox throughput (local and a local Slack stand-in); ARGS="--stack 30" times booking -> Slack on a fresh stack;
# ARGS="--database-url sqlite:///var/cqlbot.db" reads delivery times from a database.
bench-outbox: migrate
	$(PY) -m benchmarks.outbox $(ARGS)

# make repair over 500 conversations whose lead-store writes were all lost, then over the same, level.
bench-repair: install
	$(PY) -m benchmarks.repair $(ARGS)

# Ops dashboard page times on 10,000 leads of the last 30 days (BENCH_DATABASE_URL=postgresql://... to use PostgreSQL).
bench-dashboard: install
	$(PY) -m benchmarks.dashboard

# Explain how a lead would be routed: LEAD='{"email_domain": "acme.com", "region": "EMEA"}' or LEAD=<lead id>.
route: migrate
	$(PY) -m bot.cli.route '$(LEAD)'

# The Rasa server's own tests run in its environment, the rest in the product's.
unit: packages-test install model
	$(PY) -m pytest tests/unit --ignore=tests/unit/rasa_server
	$(RASA_PY) -m pytest --confcutdir=tests/unit/rasa_server tests/unit/rasa_server

rasa-validate: install
	$(RASA) data validate

rasa-test: model
	$(RASA) test core --model models/cqlbot.tar.gz --stories tests/stories \
	  --fail-on-prediction-errors --out var/rasa-test-results

integration: packages-test migrate model
	$(PY) -m pytest tests/integration tests/security tests/contract

test: packages-test lint typecheck check unit rasa-validate rasa-test integration
	@echo "make test: all checks passed"

# Intent accuracy by 3-fold cross-validation (a measurement, not part of make test).
# Intent accuracy and macro-F1 on the held-out visitor messages (tests/nlu_eval/), per
# intent and per kind; ARGS="--set dev" for the dev set, "--errors" to list misses.
nlu-eval: model
	PYTHONPATH=. $(RASA_PY) -m benchmarks.nlu_heldout $(ARGS)

nlu-cv: install
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds 3 --out var/nlu-cv

# Re-resolve an environment's dependencies in one pip run into a fresh venv and pin the
# result: `make lock` the product's (requirements.in), `make lock-rasa` the Rasa server's.
lock:
	rm -rf /tmp/cqlbot-lock
	"$$(scripts/find_python.sh $(PYTHON_VERSION))" -m venv /tmp/cqlbot-lock
	/tmp/cqlbot-lock/bin/pip install --quiet -r requirements.in
	/tmp/cqlbot-lock/bin/pip freeze | sort -f > requirements.lock

lock-rasa:
	rm -rf /tmp/cqlbot-lock-rasa
	"$$(scripts/find_python.sh $(RASA_PYTHON_VERSION))" -m venv /tmp/cqlbot-lock-rasa
	/tmp/cqlbot-lock-rasa/bin/pip install --quiet -r requirements-rasa.in
	/tmp/cqlbot-lock-rasa/bin/pip freeze | sort -f > requirements-rasa.lock

clean:
	rm -rf var/rasa-test-results results .pytest_cache .mypy_cache .ruff_cache
