#!/usr/bin/env bash
# Installs the Debian packages a command needs (scripts/system-packages.tsv says
# which and why): `scripts/system_packages.sh test|cluster|bench|run`.
#   test     make test: PostgreSQL, Chromium, Redis and nginx for the tests' own servers
#   cluster  make run-cluster: PostgreSQL, Redis and nginx
#   bench    make bench: Redis (the benchmarked stack runs two Rasa servers)
#   run      make run: nothing, unless RASA_WORKERS is above 1 (then Redis)
# Nothing happens when every program is there. Otherwise it runs apt-get as
# root or through sudo without a password; failing that it names the packages
# and the command to install them, and exits 1 before anything else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=scripts/system-packages.tsv
command=${1:-}
case "$command" in
  test | cluster) need=$command ;;
  bench) need=workers ;;
  run) if [ "${RASA_WORKERS:-1}" -gt 1 ] 2>/dev/null; then need=workers; else exit 0; fi ;;
  *) echo "usage: $0 test|cluster|bench|run" >&2; exit 2 ;;
esac

# Where a program is: PATH, the sbin folders, or Debian's versioned PostgreSQL folder.
find_program() {
  command -v "$1" >/dev/null 2>&1 && return 0
  for path in /usr/sbin/"$1" /sbin/"$1" /usr/lib/postgresql/*/bin/"$1"; do
    [ -x "$path" ] && return 0
  done
  return 1
}

packages=()
absent=()
line=0
while IFS=$'\t' read -r program package needed_by why; do
  line=$((line + 1))
  case "$program" in '' | '#'*) continue ;; esac
  if [ -z "$package" ] || [ -z "$needed_by" ] || [ -z "$why" ]; then
    echo "$manifest:$line: expected program, package, needed by and why, tab-separated" >&2
    exit 2
  fi
  [[ " $needed_by " == *" $need "* ]] || continue
  find_program "$program" && continue
  if [ "$package" = "-" ]; then
    absent+=("$program")
  elif [[ " ${packages[*]-} " != *" $package "* ]]; then
    packages+=("$package")
  fi
done <"$manifest"

if [ ${#absent[@]} -gt 0 ]; then
  echo "make $command needs ${absent[*]}, which no package here installs: install it with your system's tools." >&2
  exit 1
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(none)
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "${as_root[0]-}" = none ]; then
  cat >&2 <<MESSAGE
make $command needs these Debian packages, which are not installed: ${packages[*]}
(why each: $manifest). Install them, then run make $command again:

  sudo apt-get install -y ${packages[*]}

MESSAGE
  exit 1
fi
echo "Installing Debian packages for make $command: ${packages[*]} (why: $manifest)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
echo "Installed: ${packages[*]}"
