#!/usr/bin/env bash
# Development server: the background worker (manage.py db_worker) plus
# `manage.py runserver` in the foreground. Ctrl-C stops both.
#
# `make run` calls this after migrate and load_demo. Run by hand it re-enters
# itself through `uv run` so that `python` is the project's virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh
project_env "$@"

start_worker

echo
echo "================================================================"
echo "  Dân Vận Số is starting at  http://$HOST:$PORT/"
echo "  Sign in with one of the demo logins printed above."
echo "  Press Ctrl-C to stop the web server and the worker."
echo "================================================================"
echo

# Not `exec`: this shell must stay alive to stop the worker afterwards.
"$PYTHON" manage.py runserver "$HOST:$PORT"
