# Sourced by scripts/demo and scripts/test: makes .venv with gameday installed.
# Set GAMEDAY_EXTRAS=dev for the test tools.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.installed-${GAMEDAY_EXTRAS:-base}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -e "$root${GAMEDAY_EXTRAS:+[$GAMEDAY_EXTRAS]}"
  touch "$stamp"
fi
