#!/usr/bin/env bash
# `scripts/find_python.sh 3.12` prints the path of a working Python of that
# minor version, or fails saying how to get one. Tries PATH, then pyenv's
# versions, then /usr/local/bin and /usr/bin. The product runs on 3.12
# (requirements.lock); the Rasa server on 3.10, the newest Rasa 3.6 runs on
# (requirements-rasa.lock).
set -u
wanted=${1:?usage: scripts/find_python.sh MAJOR.MINOR}
candidates=("python$wanted")
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$wanted".*/bin /usr/local/bin /usr/bin; do
  [ -x "$dir/python$wanted" ] && candidates+=("$dir/python$wanted")
done
for candidate in "${candidates[@]}"; do
  if version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) && [ "$version" = "$wanted" ]; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "Python $wanted not found: install it (e.g. 'pyenv install $wanted' or 'apt-get install python$wanted python$wanted-venv')" >&2
exit 1
