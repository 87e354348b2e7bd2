# shellcheck shell=bash
# What run_dev.sh and serve.sh share; each sources this file from the project
# root (after `cd`), then calls:
#   project_env "$@"  the project's virtualenv (re-entering the script through
#                     `uv run` when run by hand) and the defaults of PYTHON,
#                     HOST and PORT;
#   start_worker      the background worker (manage.py db_worker) beside the
#                     web server, with the traps that stop it when the script
#                     ends, however it ends (Ctrl-C included).

project_env() {
    if [ -z "${VIRTUAL_ENV:-}" ] && command -v uv >/dev/null 2>&1; then
        exec uv run --frozen bash "$0" "$@"
    fi
    PYTHON="${PYTHON:-python}"
    HOST="${HOST:-127.0.0.1}"
    PORT="${PORT:-8000}"
}

worker_pid=""

stop_worker() {
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

start_worker() {
    trap stop_worker EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    "$PYTHON" manage.py db_worker --queue-name "*" &
    worker_pid=$!
    echo ">> background worker started (pid $worker_pid)"
}
