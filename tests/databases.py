"""Pointing the default connection at another database for part of a test (REL-01, 02, 06).

pytest-django gives a run one test database; on SQLite it lives in memory and only this
process's one connection can use it. Restoring a backup needs a second, empty database, and
requests served by several threads need a database that separate connections really share.
`switched_to` points the `default` alias at another database, for this thread and for every
connection opened later (server threads), and back afterwards; the test database itself is
left untouched.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from django.db import connection, connections


@contextlib.contextmanager
def switched_to(name: str) -> Iterator[None]:
    """Use the database `name` (a file for SQLite, a database name for PostgreSQL)."""
    original = connections["default"]
    saved = connections.settings["default"]
    connections.settings["default"] = {**saved, "NAME": name, "TEST": dict(saved.get("TEST") or {})}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = saved
        connections["default"] = original


def _postgres_admin(sql: str) -> None:
    """Run CREATE/DROP DATABASE on the server of the test database."""
    import psycopg2

    settings = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql)
    finally:
        admin.close()


@contextlib.contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """A new, empty database of the test database's kind, in use for the duration: a new file
    in `folder` on SQLite, a new database beside the test database on PostgreSQL (dropped
    afterwards)."""
    if connection.vendor == "sqlite":
        name = str(folder / "restored.sqlite3")
        with switched_to(name):
            yield name
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        with switched_to(name):
            yield name
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def sqlite_file_copy(path: Path) -> Iterator[None]:
    """On SQLite: the test database copied to a file, in use for the duration, so each server
    thread opens its own connection and writers really wait for each other."""
    source = connections["default"]
    source.ensure_connection()
    target = sqlite3.connect(path)
    try:
        source.connection.backup(target)
    finally:
        target.close()
    with switched_to(str(path)):
        yield
