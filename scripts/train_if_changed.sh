#!/usr/bin/env bash
# Trains the Rasa model only when what it is trained from has changed: the
# training data, domain, config, our NLU components (and the answer parsers
# they call) and the locked packages.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/cqlbot.tar.gz
stamp=models/cqlbot.fingerprint
fingerprint=$(find data rasa_server/nlu answers -type f \( -name '*.yml' -o -name '*.py' \) -print0 | sort -z \
  | xargs -0 sha256sum | cat - <(sha256sum domain.yml config.yml requirements-rasa.lock) | sha256sum | cut -d' ' -f1)
if [ -f "$model" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  echo "model is up to date ($model)"
  exit 0
fi
echo "training the model (data, domain or config changed)..."
rm -f "$stamp"
PYTHONPATH=. .venv-rasa/bin/rasa train --fixed-model-name cqlbot --out models
echo "$fingerprint" > "$stamp"
