# Three images from one file, mirroring `make run`'s steps:
#   docker build --target rasa    -t cqlbot-rasa .
#   docker build --target actions -t cqlbot-actions .
#   docker build --target web     -t cqlbot-web .
# Configuration comes only from the environment (see .env.example); no secret is baked in,
# and none goes on a command line (each process reads its own from the environment).
# A container's loopback is its own, so the images listen on 0.0.0.0: publish only the
# proxy in front (docs/deploy.md, "Ports"); the action server must stay on the private network.
# The Rasa server has an image and an environment of its own (requirements-rasa.lock: Rasa 3.6
# and rasa_server/ only, on Python 3.10); the action server and the web app share the
# product's (requirements.lock, Python 3.12).
FROM python:3.12-slim AS python
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN useradd --system --home /app cqlbot

FROM python:3.10-slim AS python-rasa
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH=/app
RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN useradd --system --home /app cqlbot

FROM python AS base
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN mkdir -p -m 0700 var && chown -R cqlbot /app/var
USER cqlbot

# The Rasa server: the model is trained at build time, from data/, domain.yml and config.yml.
FROM python-rasa AS rasa
COPY requirements-rasa.lock .
RUN pip install --no-cache-dir -r requirements-rasa.lock
COPY . .
RUN mkdir -p -m 0700 var && mkdir -p models && chown -R cqlbot /app/var /app/models
USER cqlbot
RUN rasa train --fixed-model-name cqlbot --out models
ENV RASA_HOST=0.0.0.0
EXPOSE 5005
CMD ["python", "-m", "rasa_server", "--model", "models/cqlbot.tar.gz", "--port", "5005"]

# The action server: qualification, scoring, routing and booking.
FROM base AS actions
ENV ACTIONS_HOST=0.0.0.0
EXPOSE 5055
CMD ["python", "-m", "bot.action_server", "--port", "5055"]

# The web app: pages, lead API, ops dashboard, Slack buttons, the outbox worker.
# Migrations run before it starts (alembic is idempotent; with several replicas run it once as a job).
FROM base AS web
EXPOSE 8000
CMD ["sh", "-c", "python -m alembic upgrade head && python -m bot.check && WEB_HOST=0.0.0.0 python -m bot.web"]
