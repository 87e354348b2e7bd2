#!/usr/bin/env bash
# Development server: the background worker (manage.py db_worker) plus
# `manage.py runserver` in the foreground. Ctrl-C stops both.
#
# `make run` calls this after migrate and load_demo. Run by hand it re-enters
# itself through `uv run` so that `python` is the project's virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIRTUAL_ENV:-}" ] && command -v uv >/dev/null 2>&1; then
    exec uv run --frozen bash "$0" "$@"
fi

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PYTHON="${PYTHON:-python}"

worker_pid=""
cleanup() {
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        echo ">> stopping background worker (pid $worker_pid)"
        kill -TERM "$worker_pid" 2>/dev/null || true
        # db_worker finishes the task in hand, then exits; do not wait forever.
        for _ in $(seq 1 50); do
            kill -0 "$worker_pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$worker_pid" 2>/dev/null; then kill -KILL "$worker_pid" 2>/dev/null || true; fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PYTHON" manage.py db_worker --queue-name "*" &
worker_pid=$!
echo ">> background worker started (pid $worker_pid)"

echo
echo "================================================================"
echo "  Dân Vận Số is starting at  http://$HOST:$PORT/"
echo "  Sign in with one of the demo logins printed above."
echo "  Press Ctrl-C to stop the web server and the worker."
echo "================================================================"
echo

# Not `exec`: this shell must stay alive to stop the worker afterwards.
"$PYTHON" manage.py runserver "$HOST:$PORT"
