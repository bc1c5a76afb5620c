"""One archive file holds a whole home: the application DB, the market store at one version, the key, other state.

Layout of the (uncompressed: Parquet is compressed already) tar::

    manifest.json                      format, creation time, market version, DB kind, sha256 of every member
    db/tandem.sqlite3 | db/app.pgdump  SQLite online-backup copy, or ``pg_dump --format=custom``
    market/CURRENT, market/versions/<id>/...   the live version only (what readers saw at backup time)
    keys/secret.key.enc                the secret, encrypted with the passphrase (see ``keywrap``)
    keys/pii-keyring.json.enc          the personal-data keyring after a rotation, encrypted the same way
    home/...                           other state under the home (event store, saved reports), caches excluded

Both directions are all-or-nothing: the archive is written to a temporary name and renamed; a restore checks
every checksum and the passphrase, extracts into a staging directory beside the target and only then moves it
into place (and, for PostgreSQL, restores in one transaction), so a failure leaves the target as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tandem.backup import keywrap
from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.identity import KEYRING_FILE, SECRET_FILE, load_secret

FORMAT = 1
EXCLUDED_TOP = {"market", SECRET_FILE, KEYRING_FILE, ".lock", "backups"}
"""Top-level home entries not copied as plain files (backed up their own way, or not state)."""
EXCLUDED_SUFFIXES = (".tmp", ".log", "-journal", "-wal", "-shm")


class BackupError(UserError):
    """A backup or restore that cannot proceed; the message says what and how to fix it."""


@dataclass(slots=True)
class BackupManifest:
    """What an archive holds (``manifest.json``)."""

    format: int
    created_at: str
    db_kind: str
    market_version: str | None
    files: dict[str, str] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    return Path(url.split(":///", 1)[1]) if ":///" in url else None


def _pg_url(url: str) -> str:
    """Libpq's form of a SQLAlchemy URL (``postgresql+psycopg://`` → ``postgresql://``)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgresql") else url


def _dump_db(settings: Settings, stage: Path) -> str:
    url = settings.sqlalchemy_url
    (stage / "db").mkdir()
    path = _sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise BackupError(f"no application database at {path}; run `tandem db upgrade` first")
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(stage / "db" / "tandem.sqlite3")
        try:
            src.backup(dst)  # the online backup API: a consistent copy while the app keeps writing
        finally:
            dst.close()
            src.close()
        return "sqlite"
    if url.startswith("postgresql"):
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--dbname={_pg_url(url)}",
                "-f",
                str(stage / "db" / "app.pgdump"),
            ]
        )
        return "postgresql"
    raise BackupError(f"cannot back up a database at {url.split('://')[0]}://…; SQLite and PostgreSQL are supported")


def _run(cmd: list[str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(
            f"{cmd[0]} is not installed; install Debian's postgresql-client (apt-get install postgresql-client)"
        )
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed (exit {done.returncode}): {done.stderr.strip()[:500]}")


def _copy_market(settings: Settings, stage: Path) -> str | None:
    root = settings.market_dir
    for _attempt in range(5):  # an import may sweep the version being copied; then copy the new live one
        current = root / "CURRENT"
        if not current.exists():
            return None
        vid = current.read_text(encoding="utf-8").strip()
        dst = stage / "market"
        shutil.rmtree(dst, ignore_errors=True)
        try:
            shutil.copytree(root / "versions" / vid, dst / "versions" / vid)
        except FileNotFoundError:
            continue
        (dst / "CURRENT").write_text(vid + "\n", encoding="utf-8")
        return vid
    raise BackupError(f"the market store at {root} kept changing during the backup; retry when imports are done")


def _copy_other_state(home: Path, stage: Path, db_file: Path | None) -> None:
    for entry in sorted(home.iterdir()) if home.exists() else []:
        if entry.name in EXCLUDED_TOP or entry.name.endswith(EXCLUDED_SUFFIXES) or "cache" in entry.name.lower():
            continue
        if db_file is not None and entry.resolve() == db_file.resolve():
            continue
        target = stage / "home" / entry.name
        target.parent.mkdir(exist_ok=True)
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("*.tmp", "*cache*"))
        elif entry.is_file():
            shutil.copy2(entry, target)


def create_backup(settings: Settings, dest: Path, *, passphrase: str) -> BackupManifest:
    """Write the archive of ``settings.home`` to ``dest`` (atomically; an existing ``dest`` is refused)."""
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new file name (backups are never overwritten)")
    secret_blob = keywrap.wrap(load_secret(settings), passphrase)  # checks the passphrase before any work
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tandem-backup-", dir=dest.parent) as tmp:
        stage = Path(tmp) / "stage"
        stage.mkdir()
        db_kind = _dump_db(settings, stage)
        market_version = _copy_market(settings, stage)
        (stage / "keys").mkdir()
        (stage / "keys" / "secret.key.enc").write_bytes(secret_blob)
        ring = settings.home / KEYRING_FILE
        if ring.is_file():  # rotated personal-data keys: archived encrypted like the secret, never in clear
            (stage / "keys" / f"{KEYRING_FILE}.enc").write_bytes(keywrap.wrap(ring.read_bytes(), passphrase))
        _copy_other_state(settings.home, stage, _sqlite_path(settings.sqlalchemy_url))
        files = {p.relative_to(stage).as_posix(): _sha256(p) for p in sorted(stage.rglob("*")) if p.is_file()}
        manifest = BackupManifest(
            FORMAT, datetime.now(UTC).isoformat(timespec="seconds"), db_kind, market_version, files
        )
        partial = Path(tmp) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(asdict(manifest), indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for rel in files:
                tar.add(stage / rel, arcname=rel, recursive=False)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, dest)
    return manifest


def read_manifest(archive: Path) -> BackupManifest:
    """The manifest of an archive, with a clear error for anything that is not a Tandem backup."""
    if not archive.is_file():
        raise BackupError(f"no backup file at {archive}")
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            raw = json.loads(member.read())
    except (tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive} is not a Tandem backup (no readable manifest.json: {exc})") from None
    if raw.get("format") != FORMAT:
        raise BackupError(f"{archive} has backup format {raw.get('format')!r}; this Tandem reads format {FORMAT}")
    return BackupManifest(**raw)


def _occupied(settings: Settings) -> list[str]:
    """What already lives at the target: a fresh home holds nothing but logs; the DB file must not exist."""
    home = settings.home
    found = [str(e) for e in sorted(home.iterdir()) if not e.name.endswith(EXCLUDED_SUFFIXES)] if home.exists() else []
    sqlite_file = _sqlite_path(settings.sqlalchemy_url)
    if sqlite_file is not None and sqlite_file.exists() and str(sqlite_file) not in found:
        found.append(str(sqlite_file))
    return found


def restore_backup(archive: Path, settings: Settings, *, passphrase: str) -> BackupManifest:
    """Restore ``archive`` into the (fresh) home and database of ``settings``; all or nothing."""
    manifest = read_manifest(archive)
    busy = _occupied(settings)
    if busy:
        raise BackupError(
            f"restore goes into a fresh home, but {', '.join(busy)} already exist; point TANDEM_HOME at a new "
            "directory (and TANDEM_DATABASE_URL at an empty database) or move these away"
        )
    home = settings.home.resolve()
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{home.name}.restore-", dir=home.parent) as tmp:
        stage = Path(tmp)
        with tarfile.open(archive, "r") as tar:
            names = set(tar.getnames()) - {"manifest.json"}
            if names != set(manifest.files):
                missing = sorted(set(manifest.files) - names)[:3]
                raise BackupError(f"{archive} is incomplete or altered: members differ from its manifest ({missing})")
            tar.extractall(
                stage / "x", members=[m for m in tar.getmembers() if m.name != "manifest.json"], filter="data"
            )
        for rel, digest in manifest.files.items():
            if _sha256(stage / "x" / rel) != digest:
                raise BackupError(f"{archive}: {rel} does not match its checksum; the archive is damaged")
        secret = keywrap.unwrap((stage / "x" / "keys" / "secret.key.enc").read_bytes(), passphrase)
        if settings.secret_key and settings.secret_key.encode() != secret:
            raise BackupError(
                "TANDEM_SECRET_KEY is set and differs from the backup's key: the restored personal data could not "
                "be decrypted; unset it (the restored key file is used) or set it to the backed-up secret"
            )
        new_home = stage / "home"
        shutil.move(stage / "x" / "home", new_home) if (stage / "x" / "home").exists() else new_home.mkdir()
        if (stage / "x" / "market").exists():
            shutil.move(stage / "x" / "market", new_home / "market")
        fd = os.open(new_home / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret)
        wrapped_ring = stage / "x" / "keys" / f"{KEYRING_FILE}.enc"
        if wrapped_ring.is_file():
            fd = os.open(new_home / KEYRING_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(keywrap.unwrap(wrapped_ring.read_bytes(), passphrase))
        sqlite_file = _sqlite_path(settings.sqlalchemy_url)
        outside = stage / "db.sqlite3"
        if manifest.db_kind == "sqlite":
            if sqlite_file is None:
                raise BackupError("this backup holds a SQLite database; unset TANDEM_DATABASE_URL to restore it")
            inside = sqlite_file.parent.resolve() == home
            shutil.move(stage / "x" / "db" / "tandem.sqlite3", new_home / sqlite_file.name if inside else outside)
        elif sqlite_file is not None:
            raise BackupError("this backup holds a PostgreSQL dump; set TANDEM_DATABASE_URL to an empty database")
        else:  # one transaction: a failed restore leaves the database empty and nothing has been placed yet
            _run(
                ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error",
                 f"--dbname={_pg_url(settings.sqlalchemy_url)}", str(stage / "x" / "db" / "app.pgdump")]
            )  # fmt: skip
        _place(new_home, home)
        if outside.exists() and sqlite_file is not None:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(outside, sqlite_file)
    return manifest


def _place(new_home: Path, home: Path) -> None:
    """Move the staged home into place: one rename when the target is absent or empty, else entry by entry."""
    if home.exists() and not any(home.iterdir()):
        home.rmdir()
    if not home.exists():
        os.rename(new_home, home)
        return
    for entry in new_home.iterdir():
        os.rename(entry, home / entry.name)
