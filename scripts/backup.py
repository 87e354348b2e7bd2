"""Back up and restore the database and the uploaded files (MEDIA_ROOT).

    python scripts/backup.py backup             # make backup
    python scripts/backup.py restore FILE       # make restore FILE=... [YES=1]

Reads the same environment as the application (DATABASE_URL, MEDIA_ROOT,
DANVAN_VAR_DIR, ...) through danvan.settings, so run it with the service's
environment loaded. Output goes to BACKUP_DIR (default: backups/):

    danvan-YYYYmmdd-HHMMSS.sqlite3      SQLite, copied with the online backup API
    danvan-YYYYmmdd-HHMMSS.dump         PostgreSQL, pg_dump -Fc (custom format)
    danvan-YYYYmmdd-HHMMSS-media.tar.gz the media files, when there are any

Restore replaces the database (PostgreSQL: pg_restore --clean --if-exists,
replayed in one transaction after dropping the tables of the public schema, so
a failed restore changes nothing; SQLite: the backup API) and the media files from the archive of
the same timestamp. It first saves the current state as a
``...-before-restore`` backup, and asks for confirmation unless YES=1.
Stop the web server and the worker before restoring.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")


def fail(message: str) -> None:
    print(f"!! {message}", file=sys.stderr)
    raise SystemExit(1)


def load_settings() -> tuple[dict[str, Any], Path]:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return dict(db), Path(settings.MEDIA_ROOT)


def backup_dir() -> Path:
    path = Path(os.environ.get("BACKUP_DIR") or BASE_DIR / "backups")
    path.mkdir(parents=True, exist_ok=True)
    return path


def engine_kind(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgres"
    fail(f"unsupported database engine {engine}")
    return ""


def pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def need(program: str) -> None:
    if shutil.which(program) is None:
        fail(
            f"{program} not found; install the PostgreSQL client "
            "(apt-get install -y postgresql-client, same major version as the server or newer)"
        )


def sqlite_copy(src: Path, dst: Path) -> None:
    """Consistent copy, even while the application writes (WAL included)."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        with target:
            source.backup(target)
        # One self-contained file: no -wal/-shm companions next to the copy.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


# Tables, views and sequences of the public schema that no extension owns. They
# are dropped first, in the same transaction as the restore, so that tables
# created after the backup (newer migrations) do not survive it: `--clean` only
# drops what the dump itself contains.
_PG_DROP_ALL = r"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.relname, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      r.relname);
  END LOOP;
END $$;
"""


def pg_check_archive(source: Path) -> None:
    need("pg_restore")
    listing = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True)
    if listing.returncode != 0:
        fail(f"{source} is not a readable pg_dump archive: {listing.stderr.decode().strip()}")


def pg_restore(db: dict[str, Any], source: Path) -> None:
    """pg_restore --clean --if-exists, replayed by psql in one transaction.

    COMMIT is sent only when pg_restore has read the whole archive; on any
    error psql stops (ON_ERROR_STOP) and the open transaction is rolled back.
    """
    need("psql")
    pg_check_archive(source)
    args, env = pg_env(db)
    dump = subprocess.Popen(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "-f", "-", str(source)],
        stdout=subprocess.PIPE,
        env=env,
    )
    psql = subprocess.Popen(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args, "-d", str(db["NAME"])],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    assert dump.stdout is not None and psql.stdin is not None
    dump_rc = None
    try:
        psql.stdin.write(b"BEGIN;\n" + _PG_DROP_ALL.encode())
        shutil.copyfileobj(dump.stdout, psql.stdin)
        dump_rc = dump.wait()
        if dump_rc == 0:
            psql.stdin.write(b"\nCOMMIT;\n")
        psql.stdin.close()
    except BrokenPipeError:
        pass
    if dump_rc is None:
        dump.kill()
        dump_rc = dump.wait()
    psql_rc = psql.wait()
    if dump_rc or psql_rc:
        fail(
            f"restore failed (pg_restore exit {dump_rc}, psql exit {psql_rc}); "
            "the transaction was rolled back, the database is unchanged"
        )


def media_archive_for(db_file: Path) -> Path:
    stem = db_file.name.rsplit(".", 1)[0]
    return db_file.with_name(f"{stem}-media.tar.gz")


def do_backup(label: str = "") -> Path:
    db, media_root = load_settings()
    kind = engine_kind(db)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = backup_dir()
    stem = f"danvan-{stamp}{label}"
    n = 1
    while any(out_dir.glob(f"{stem}.*")) or any(out_dir.glob(f"{stem}-media.*")):
        n += 1  # never overwrite a backup taken in the same second
        stem = f"danvan-{stamp}-{n}{label}"

    if kind == "sqlite":
        src = Path(db["NAME"])
        if not src.exists():
            fail(f"no SQLite database at {src}")
        target = out_dir / f"{stem}.sqlite3"
        sqlite_copy(src, target)
    else:
        need("pg_dump")
        args, env = pg_env(db)
        target = out_dir / f"{stem}.dump"
        subprocess.run(
            ["pg_dump", "-Fc", *args, "-f", str(target), str(db["NAME"])],
            env=env,
            check=True,
        )
    print(f">> database -> {target} ({target.stat().st_size:,} bytes)")

    if media_root.is_dir() and any(media_root.iterdir()):
        archive = media_archive_for(target)
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(media_root, arcname="media")
        print(f">> media {media_root} -> {archive} ({archive.stat().st_size:,} bytes)")
    else:
        print(f">> media: {media_root} is empty or missing, nothing to archive")
    from django.conf import settings

    if settings.S3_BUCKET:
        print(
            f">> files in the bucket {settings.S3_BUCKET} are not in this backup: "
            "back the bucket up with the store's own versioning or replication"
        )
    return target


def confirm(message: str) -> None:
    if os.environ.get("YES") in {"1", "yes", "true"}:
        return
    if not sys.stdin.isatty():
        fail("refusing to restore without confirmation: set YES=1")
    answer = input(f"{message}\nType 'yes' to continue: ")
    if answer.strip().lower() != "yes":
        fail("cancelled")


def extract_media(archive: Path, media_root: Path) -> None:
    with tempfile.TemporaryDirectory(dir=media_root.parent) as tmp:
        with tarfile.open(archive, "r:gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # Python < 3.11.4
                tar.extractall(tmp)
        extracted = Path(tmp) / "media"
        if not extracted.is_dir():
            fail(f"{archive} has no media/ folder")
        if media_root.exists():
            shutil.rmtree(media_root)
        shutil.move(str(extracted), str(media_root))


def do_restore(file: str) -> None:
    source = Path(file)
    if not source.is_file():
        fail(f"no such backup file: {source}")
    db, media_root = load_settings()
    kind = engine_kind(db)
    expected = ".sqlite3" if kind == "sqlite" else ".dump"
    if source.suffix != expected:
        fail(f"the configured database is {kind}; expected a {expected} backup, got {source.name}")
    archive = media_archive_for(source)
    if kind == "postgres":
        pg_check_archive(source)

    where = db["NAME"] if kind == "sqlite" else f"{db['NAME']} on {db.get('HOST') or 'localhost'}"
    confirm(
        f"This REPLACES the database {where}"
        + (f" and the media files in {media_root}" if archive.exists() else "")
        + f"\nwith the backup {source}. Stop the web server and the worker first."
    )

    db_exists = kind == "postgres" or Path(db["NAME"]).exists()
    if db_exists:
        print(">> saving the current state first")
        do_backup(label="-before-restore")

    if kind == "sqlite":
        target = Path(db["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        sqlite_copy(source, target)
    else:
        pg_restore(db, source)
    print(f">> database restored from {source}")

    if archive.exists():
        media_root.parent.mkdir(parents=True, exist_ok=True)
        extract_media(archive, media_root)
        print(f">> media restored from {archive} into {media_root}")
    else:
        print(f">> no media archive {archive.name}; media files left as they are")
    print(">> done. Run `python manage.py migrate` if the backup is older than the code.")


def main(argv: list[str]) -> None:
    if len(argv) >= 1 and argv[0] == "backup":
        do_backup()
    elif len(argv) == 2 and argv[0] == "restore":
        do_restore(argv[1])
    else:
        print(__doc__)
        raise SystemExit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
