# Sourced by scripts/demo and scripts/test: makes .venv with gameday installed.
# Set GAMEDAY_EXTRAS=dev for the test tools.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.installed-${GAMEDAY_EXTRAS:-base}"
if [ ! -x "$venv/bin/python" ]; then
  echo "gameday: creating $venv ..." >&2
  python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  # The distribution was called `gameday` before it became `gameday-drills`: two
  # distributions declaring the same entry points would make every plugin a duplicate.
  if "$venv/bin/python" -m pip show -q gameday >/dev/null 2>&1; then
    "$venv/bin/python" -m pip uninstall -q -y gameday >&2
  fi
  echo "gameday: installing gameday-drills${GAMEDAY_EXTRAS:+[$GAMEDAY_EXTRAS]} and its" \
    "dependencies into .venv (first run only; about a minute) ..." >&2
  started=$SECONDS
  if [ -t 2 ]; then
    # On a terminal, pip's Collecting/Installing lines are the progress.
    if ! "$venv/bin/pip" install --disable-pip-version-check -e "$root${GAMEDAY_EXTRAS:+[$GAMEDAY_EXTRAS]}" 2>&1 |
      { grep --line-buffered -E '^(Collecting|Installing|Successfully|ERROR)' >&2 || true; }; then
      echo "gameday: the install failed; see: $venv/bin/pip install -e $root" >&2
      exit 1
    fi
  else
    "$venv/bin/pip" install -q --disable-pip-version-check -e "$root${GAMEDAY_EXTRAS:+[$GAMEDAY_EXTRAS]}"
  fi
  echo "gameday: installed in $((SECONDS - started))s" >&2
  touch "$stamp"
fi
