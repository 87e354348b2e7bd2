#!/usr/bin/env bash
# Production-like profile (`make serve`): DEBUG=0, deploy checks, migrations,
# collected static files, the background worker and gunicorn.
#
# Environment (all optional here; a real deployment sets them in its service
# environment file, see docs/operations.md):
#   SECRET_KEY      if unset, generated once into var/secret_key and reused
#   FIELD_ENCRYPTION_KEYS, HASH_KEY
#                   if unset, kept in var/field_encryption_keys and var/hash_key:
#                   random for a new var/, else the value an earlier run used
#                   implicitly (its SECRET_KEY), so stored data still reads
#   ALLOWED_HOSTS   default 127.0.0.1,localhost
#   HTTPS           default 1 (TLS proxy in front). HTTPS=0: plain-http trial,
#                   secure cookies off by choice, so `check --deploy` is skipped
#   HOST, PORT      gunicorn bind address, default 127.0.0.1:8000
#   WORKERS         gunicorn worker processes, default 3
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh
project_env "$@"
WORKERS="${WORKERS:-3}"
VAR_DIR="${DANVAN_VAR_DIR:-var}"

export DEBUG=0
export HTTPS="${HTTPS:-1}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"

earlier_run=0
if [ -n "${SECRET_KEY:-}" ] || [ -s "$VAR_DIR/secret_key" ]; then earlier_run=1; fi

if [ -z "${SECRET_KEY:-}" ]; then
    key_file="$VAR_DIR/secret_key"
    if [ ! -s "$key_file" ]; then
        mkdir -p "$VAR_DIR"
        (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$key_file")
        echo ">> SECRET_KEY was not set: generated a new one into $key_file (kept for next runs)"
    else
        echo ">> SECRET_KEY read from $key_file"
    fi
    SECRET_KEY="$(cat "$key_file")"
    export SECRET_KEY
fi

# The keys of personal data (docs/operations.md, "Keys"), each in its own file.
for name in FIELD_ENCRYPTION_KEYS HASH_KEY; do
    if [ -n "${!name:-}" ] || [ -n "${FIELD_ENCRYPTION_KEY:-}" ]; then continue; fi
    key_file="$VAR_DIR/$(echo "$name" | tr '[:upper:]' '[:lower:]')"
    if [ ! -s "$key_file" ]; then
        mkdir -p "$VAR_DIR"
        if [ "$earlier_run" = 1 ]; then
            # Data of earlier runs was encrypted and hashed with SECRET_KEY: keep reading it.
            (umask 077 && printf '%s\n' "$SECRET_KEY" >"$key_file")
            echo ">> $name was not set: wrote the value earlier runs used (SECRET_KEY) into $key_file"
        else
            (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$key_file")
            echo ">> $name was not set: generated a new one into $key_file (kept for next runs)"
        fi
    fi
    export "$name=$(cat "$key_file")"
done

case "$HTTPS" in
    1 | true | yes | on)
        echo ">> manage.py check --deploy --fail-level WARNING"
        "$PYTHON" manage.py check --deploy --fail-level WARNING
        echo ">> HTTPS=1: the app expects a TLS proxy in front (X-Forwarded-Proto: https);"
        echo "   plain http://$HOST:$PORT/ redirects to https. For a local plain-http trial: make serve HTTPS=0"
        ;;
    *)
        echo ">> HTTPS=$HTTPS: secure cookies, SSL redirect and HSTS are off by choice;"
        echo "   skipping check --deploy (it would warn about exactly that). Not for real deployments."
        "$PYTHON" manage.py check
        ;;
esac

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput

start_worker
echo ">> gunicorn on http://$HOST:$PORT/ ($WORKERS workers). Ctrl-C stops both."

# gunicorn answers with "Server: gunicorn" (no version; it has no setting to drop
# the header). Behind nginx that header is replaced (docs/operations.md, nginx).
gunicorn danvan.wsgi:application \
    --bind "$HOST:$PORT" \
    --workers "$WORKERS" \
    --access-logfile - \
    --error-logfile -
