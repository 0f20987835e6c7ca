"""Backup, restore and integrity checks (REL-06).

A backup is one folder:

- `database.sqlite3` (SQLite backup API) or `database.dump` (`pg_dump -Fc`): a consistent copy
  of the database, taken from one snapshot;
- `media.tar`: every file of the default storage (stored letters, seals, exports), read
  through the storage API;
- `manifest.json`: what the copy must contain, read from the same snapshot as the dump: row
  counts per table, the audit chain's length and last hash, every stored letter PDF with the
  SHA-256 in its row, the applied migrations, the SHA-256 of every media file, and the SHA-256
  of the dump and of the media archive.

`restore` writes a backup into an empty database and an empty media storage only, then checks
the result against the manifest (`verify`). `verify(None)` checks a live installation: the
audit chain, and every stored letter against the hash in its row. Problems are reported as
Chinese sentences; nothing is repaired silently.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

from proposals.models import AuditEvent, ReplyStatus
from proposals.records.audit import verify_chain

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
DUMP_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
AUDIT_TABLE = "proposals_auditevent"
CHUNK = 1 << 20

# Stored letters: (kind, table, rows). An issued reply imported without a letter (history,
# demo data) has neither file nor hash and is only counted.
LETTER_KINDS = {"reply": "答复函", "public": "公开版"}
LETTER_QUERIES = (
    (
        "reply",
        "proposals_reply",
        # SQL built from constants of the code only, never from input (bandit B608).
        f"SELECT id, pdf, pdf_sha256 FROM proposals_reply WHERE status = '{ReplyStatus.ISSUED.value}' "  # nosec B608
        "AND (pdf <> '' OR pdf_sha256 <> '') ORDER BY id",
    ),
    ("public", "proposals_publication", "SELECT id, pdf, pdf_sha256 FROM proposals_publication ORDER BY id"),
)
UNFILED_QUERY = (  # a constant of the code (bandit B608)
    f"SELECT count(*) FROM proposals_reply WHERE status = '{ReplyStatus.ISSUED.value}' "  # nosec B608
    "AND pdf = '' AND pdf_sha256 = ''"
)


class BackupError(Exception):
    """A backup or restore that must not go ahead; the message is for the operator, in Chinese."""


@dataclass
class Report:
    """The outcome of a check: what was verified (`lines`) and what did not match (`problems`)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def write(self, command) -> None:
        """Print to a management command: checked lines to stdout, problems to stderr."""
        for line in self.lines:
            command.stdout.write(line)
        for problem in self.problems:
            command.stderr.write(problem)


# --- facts about a database, read with plain SQL so they work on a copy too ---------------------


def tracked_tables() -> list[str]:
    """Every table the project's models (and Django's migration log) keep."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables | {"django_migrations"})


def read_facts(cursor, existing_tables: Iterable[str]) -> dict:
    """Row counts, audit chain end, stored letters and migrations, through a DB-API `cursor`
    (Django's, or sqlite3's on a backup file). Runs inside the caller's snapshot."""
    existing = set(existing_tables)
    counts = {}
    for table in tracked_tables():
        if table in existing:
            # Table and column names are our models' own, never input (bandit B608).
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # nosec B608
            counts[table] = cursor.fetchone()[0]
    audit = {"length": counts.get(AUDIT_TABLE, 0), "last_seq": 0, "last_hash": ""}
    if AUDIT_TABLE in existing:
        cursor.execute(f"SELECT seq, hash FROM {AUDIT_TABLE} ORDER BY seq DESC LIMIT 1")  # nosec B608
        last = cursor.fetchone()
        if last:
            audit.update(last_seq=last[0], last_hash=last[1])
    letters = []
    for kind, table, query in LETTER_QUERIES:
        if table in existing:
            cursor.execute(query)
            letters += [
                {"kind": kind, "id": pk, "file": name, "sha256": sha} for pk, name, sha in cursor.fetchall()
            ]
    unfiled = 0
    if "proposals_reply" in existing:
        cursor.execute(UNFILED_QUERY)
        unfiled = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return {
        "tables": counts,
        "audit": audit,
        "letters": letters,
        "issued_without_letter": unfiled,
        "migrations": migrations,
    }


def live_facts() -> dict:
    """`read_facts` for the configured database."""
    with connection.cursor() as cursor:
        return read_facts(cursor, connection.introspection.table_names(cursor))


# --- files ---------------------------------------------------------------------------------------


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_path(path: Path) -> str:
    with open(path, "rb") as stream:
        return sha256_of(stream)


def storage_files(folder: str = "") -> Iterator[str]:
    """Names of every file in the default storage, depth first, in a stable order."""
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_files(f"{folder}/{sub}" if folder else sub)


class _Hashing:
    """A read-only stream that hashes what passes through it (for tarfile.addfile)."""

    def __init__(self, stream):
        self.stream, self.digest = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _archive_media(archive: Path) -> dict[str, str]:
    """Write every storage file into `archive` (tar); return {name: SHA-256}."""
    hashes = {}
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
        for name in storage_files():
            info = tarfile.TarInfo(name)
            info.size, info.mode = default_storage.size(name), 0o644
            try:
                info.mtime = default_storage.get_modified_time(name).timestamp()
            except NotImplementedError:
                info.mtime = time.time()
            with default_storage.open(name, "rb") as stream:
                hashing = _Hashing(stream)
                tar.addfile(info, hashing)
            hashes[name] = hashing.digest.hexdigest()
    return hashes


def _archive_names(archive: Path) -> list[str]:
    with tarfile.open(archive, encoding="utf-8") as tar:
        return [member.name for member in tar.getmembers() if member.isfile()]


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _restore_media(archive: Path) -> list[str]:
    """Write the archive's files into the default storage under their own names."""
    problems = []
    with tarfile.open(archive, encoding="utf-8") as tar:
        for member in tar:
            if not member.isfile():
                continue
            if not _safe_name(member.name):
                problems.append(f"媒体归档中的文件名“{member.name}”不安全，未恢复。")
                continue
            with tar.extractfile(member) as data:
                try:
                    saved = default_storage.save(member.name, File(data, name=member.name))
                except SuspiciousFileOperation:
                    problems.append(f"媒体归档中的文件名“{member.name}”不安全，未恢复。")
                    continue
            if saved != member.name:
                problems.append(f"媒体文件“{member.name}”被存为“{saved}”（同名文件已存在）。")
    return problems


# --- the database --------------------------------------------------------------------------------


def _libpq(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore and the libpq environment (password, TLS)
    taken from Django's database settings."""
    from django.db.backends.postgresql.client import DatabaseClient

    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    options = [
        f"{flag}={settings_dict[key]}"
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"))
        if settings_dict.get(key)
    ]
    options.append(f"--dbname={settings_dict['NAME']}")
    return options, {**os.environ, **(env or {})}


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 postgresql-client（与服务器同一主版本或更新）。"
        ) from None
    if finished.returncode:
        raise BackupError(f"{command[0]} 失败（退出码 {finished.returncode}）：{finished.stderr.strip()}")


def _dump_sqlite(dump: Path) -> dict:
    """Copy the database with SQLite's online backup API; facts are read from the copy."""
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
        cursor = target.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return read_facts(cursor, [row[0] for row in cursor.fetchall()])
    finally:
        target.close()


def _dump_postgresql(dump: Path) -> dict:
    """`pg_dump -Fc` from an exported snapshot; the facts are read in that same snapshot, so
    the manifest describes exactly what the dump holds even while users keep working."""
    if connection.in_atomic_block:
        raise BackupError("备份须在事务之外运行。")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # reconnect or health-check now, not inside the snapshot
    options, env = _libpq(connection.settings_dict)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", *options], env)
        return read_facts(cursor, connection.introspection.table_names(cursor))


def _restore_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        options, env = _libpq(connection.settings_dict)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *options,
                str(dump),
            ],
            env,
        )


# --- the three operations ------------------------------------------------------------------------


def backup(destination: Path) -> tuple[dict, Report]:
    """Write a backup of the configured database and the media storage into `destination`
    (new or empty). Returns the manifest (also saved as manifest.json) and a report whose
    problems are stored letters that already differ from their rows (the backup is written
    all the same: it keeps the evidence)."""
    started = time.monotonic()
    vendor = connection.vendor
    if vendor not in DUMP_FILES:
        raise BackupError(f"不支持备份 {vendor} 数据库（只支持 SQLite 和 PostgreSQL）。")
    destination.mkdir(parents=True, exist_ok=True)
    if any(destination.iterdir()):
        raise BackupError(f"备份目录 {destination} 不是空目录；为免覆盖已有备份，请指定一个新目录。")
    dump = destination / DUMP_FILES[vendor]
    facts = _dump_sqlite(dump) if vendor == "sqlite" else _dump_postgresql(dump)
    media = _archive_media(destination / MEDIA_ARCHIVE)
    report = Report()
    for letter in facts["letters"]:
        actual = media.get(letter["file"])
        if actual != letter["sha256"]:
            report.problems.append(_letter_problem(letter, actual, "数据库记录"))
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "database": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": sha256_path(dump)},
        "media": {
            "file": MEDIA_ARCHIVE,
            "bytes": (destination / MEDIA_ARCHIVE).stat().st_size,
            "sha256": sha256_path(destination / MEDIA_ARCHIVE),
            "files": media,
        },
        **facts,
        "seconds": round(time.monotonic() - started, 2),
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    report.lines.append(
        f"已备份 {VENDOR_NAMES[vendor]} 数据库：{len(facts['tables'])} 张表，共 {sum(facts['tables'].values())} 行"
        f"（{_size(manifest['database']['bytes'])}）。"
    )
    report.lines.append(f"已备份媒体文件 {len(media)} 个（{_size(manifest['media']['bytes'])}）。")
    report.lines.append(
        f"审计记录 {facts['audit']['length']} 条，末条摘要 {facts['audit']['last_hash'][:16] or '（无）'}…；"
        f"存档 PDF {len(facts['letters'])} 份。"
    )
    report.lines.append(f"用时 {manifest['seconds']} 秒。")
    return manifest, report


def load_manifest(source: Path) -> dict:
    path = source / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} 中没有备份清单 {MANIFEST}，不是本系统的备份目录。") from None
    except ValueError:
        raise BackupError(f"备份清单 {path} 已损坏，无法读取。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份清单格式 {manifest.get('format')} 不受支持（应为 {FORMAT}）。")
    return manifest


def restore(source: Path) -> Report:
    """Restore the backup in `source` into the configured database and media storage, both of
    which must be empty, then verify the result against the manifest. Refuses (BackupError)
    before writing anything when the target is not empty or the backup is from another kind
    of database. Damage found in the backup does not stop the restore: it is reported, so
    the operator sees exactly what differs, and the report is not ok."""
    started = time.monotonic()
    manifest = load_manifest(source)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"这是 {VENDOR_NAMES.get(manifest['vendor'], manifest['vendor'])} 数据库的备份，"
            f"当前配置的是 {VENDOR_NAMES.get(vendor, vendor)} 数据库，不能恢复。"
        )
    dump, archive = source / manifest["database"]["file"], source / manifest["media"]["file"]
    for path in (dump, archive):
        if not path.is_file():
            raise BackupError(f"备份文件 {path} 不存在。")
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"目标数据库“{connection.settings_dict['NAME']}”不是空库（已有 {len(tables)} 张表），拒绝恢复，"
            "以免覆盖现有数据。请新建一个空数据库（SQLite：新的数据库文件；PostgreSQL：createdb），"
            "让 DATABASE_URL 指向它后重试。"
        )
    clashes = [name for name in _archive_names(archive) if default_storage.exists(name)]
    if clashes:
        raise BackupError(
            f"媒体目录中已有 {len(clashes)} 个同名文件（如“{clashes[0]}”），拒绝恢复，"
            "以免覆盖现有文件。请使用空的媒体目录（DJANGO_MEDIA_ROOT）。"
        )
    report = Report()
    for part, path in (("database", dump), ("media", archive)):
        if sha256_path(path) != manifest[part]["sha256"]:
            report.problems.append(
                f"备份文件 {path.name} 的校验值与备份清单不符：备份在写入后被修改或已损坏。"
            )
    _restore_database(dump)
    report.problems += _restore_media(archive)
    checked = verify(manifest)
    report.lines += checked.lines
    report.problems += checked.problems
    report.lines.append(f"恢复用时 {time.monotonic() - started:.1f} 秒。")
    return report


def verify(expected: dict | None = None) -> Report:
    """Check the configured installation: the audit chain is whole, and every stored letter's
    file has the SHA-256 recorded in its row. With a backup manifest (`expected`), also that
    row counts, migrations, the chain's end, the letters and the media files equal it."""
    report = Report()
    facts = live_facts()
    if expected is not None:
        _compare_tables(expected, facts, report)
    _check_audit(expected, report)
    hashes: dict[str, str | None] = {}
    _check_letters(expected, facts, report, hashes)
    if expected is not None:
        _check_media(expected, report, hashes)
    _note_pending_migrations(report)
    return report


def _compare_tables(expected: dict, facts: dict, report: Report) -> None:
    want, have = expected["tables"], facts["tables"]
    for table in sorted(set(want) | set(have)):
        if want.get(table) != have.get(table):
            report.problems.append(
                f"表 {table}：备份中 {_rows(want.get(table))}，恢复后 {_rows(have.get(table))}。"
            )
    if expected["migrations"] != facts["migrations"]:
        report.problems.append("数据库迁移记录与备份不一致。")
    if report.ok:
        report.lines.append(
            f"数据表 {len(have)} 张、共 {sum(have.values())} 行，每张表的行数与备份清单一致；"
            f"迁移记录 {len(facts['migrations'])} 条，一致。"
        )


def _check_audit(expected: dict | None, report: Report) -> None:
    count, chain_problems = verify_chain()
    problems = [f"审计记录：{problem}" for problem in chain_problems]
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    last_hash = last[1] if last else ""
    if expected is not None:
        want = expected["audit"]
        if count != want["length"]:
            problems.append(f"审计记录：备份中 {want['length']} 条，恢复后 {count} 条。")
        if last_hash != want["last_hash"]:
            problems.append("审计记录：末条记录的摘要与备份清单不符。")
    report.problems += problems
    if not problems:
        tail = f"，末条（第{last[0]}条）摘要 {last_hash[:16]}…" if last else ""
        same = "，与备份清单一致" if expected is not None else ""
        report.lines.append(f"审计记录 {count} 条，哈希链完整{tail}{same}。")


def _file_hash(name: str, hashes: dict[str, str | None]) -> str | None:
    if name not in hashes:
        try:
            with default_storage.open(name, "rb") as stream:
                hashes[name] = sha256_of(stream)
        except (FileNotFoundError, SuspiciousFileOperation):
            hashes[name] = None
    return hashes[name]


def _letter_problem(letter: dict, actual: str | None, against: str) -> str:
    label = f"{LETTER_KINDS[letter['kind']]}（{'答复' if letter['kind'] == 'reply' else '公开'} id {letter['id']}）"
    if not letter["file"]:
        return f"{label}有校验值但没有存档文件。"
    if actual is None:
        return f"{label}的文件“{letter['file']}”不存在。"
    expected = letter["sha256"][:16]
    return f"{label}的文件“{letter['file']}”校验值与{against}不符（应为 {expected}…，实为 {actual[:16]}…）。"


def _check_letters(expected: dict | None, facts: dict, report: Report, hashes: dict) -> None:
    found = len(report.problems)
    for letter in facts["letters"]:
        actual = _file_hash(letter["file"], hashes) if letter["file"] else None
        if actual != letter["sha256"]:
            report.problems.append(_letter_problem(letter, actual, "数据库记录"))
    if expected is not None:
        have = {(letter["kind"], letter["id"]): letter for letter in facts["letters"]}
        for letter in expected["letters"]:
            row = have.pop((letter["kind"], letter["id"]), None)
            if row is None:
                report.problems.append(
                    f"{LETTER_KINDS[letter['kind']]}（id {letter['id']}）在备份清单中，恢复后不见了。"
                )
            elif (row["file"], row["sha256"]) != (letter["file"], letter["sha256"]):
                report.problems.append(
                    f"{LETTER_KINDS[letter['kind']]}（id {letter['id']}）的记录与备份清单不符。"
                )
        for kind, pk in have:
            report.problems.append(f"{LETTER_KINDS[kind]}（id {pk}）不在备份清单中。")
    if len(report.problems) == found:
        public = sum(letter["kind"] == "public" for letter in facts["letters"])
        same = "、备份清单" if expected is not None else ""
        report.lines.append(
            f"存档 PDF {len(facts['letters'])} 份（其中公开版 {public} 份），"
            f"文件的 SHA-256 与数据库记录{same}一致。"
        )
    if facts["issued_without_letter"]:
        report.lines.append(
            f"另有 {facts['issued_without_letter']} 件已发出的答复没有存档 PDF（导入的历史答复或演示数据）。"
        )


def _check_media(expected: dict, report: Report, hashes: dict) -> None:
    found = len(report.problems)
    files = expected["media"]["files"]
    for name, sha in files.items():
        actual = _file_hash(name, hashes)
        if actual is None:
            report.problems.append(f"媒体文件“{name}”没有恢复。")
        elif actual != sha:
            report.problems.append(f"媒体文件“{name}”的校验值与备份清单不符。")
    if len(report.problems) == found:
        report.lines.append(f"媒体文件 {len(files)} 个，校验值与备份清单一致。")


def _note_pending_migrations(report: Report) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        report.lines.append(
            f"注意：代码中还有 {len(pending)} 个迁移未应用到该数据库，投入使用前请运行 python manage.py migrate。"
        )


def _rows(count: int | None) -> str:
    return "没有该表" if count is None else f"{count} 行"


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.1f} KB"
