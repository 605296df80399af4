#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 needs 3.10), or fails
# saying how to get one. Tries PATH, then pyenv's versions, then /usr/bin.
set -u
candidates=(python3.10)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin /usr/local/bin /usr/bin; do
  [ -x "$dir/python3.10" ] && candidates+=("$dir/python3.10")
done
for candidate in "${candidates[@]}"; do
  if version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) && [ "$version" = "3.10" ]; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "Python 3.10 not found: install it (e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv')" >&2
exit 1
