"""Reliability against a real server on loopback (REL-01, REL-02, REL-04).

Concurrent requests go to a live server whose request threads each open their own database
connection. pytest-django's session-wide `live_server` would hand every thread the one
connection of the in-memory SQLite test database, so nothing would run concurrently; here
each test starts its own server, and on SQLite the test database is first copied to a file
(`tests.databases.sqlite_file_copy`). On PostgreSQL the test database is used as it is.
Database outages are tested against gunicorn in a separate process, as deployed.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import reverse

from measures.models import Measure
from proposals.models import AuditEvent, Reply, ReplyEvent, ReplyVersion, User, UserRole
from proposals.records.audit import verify_chain
from tests.conftest import PASSWORD, REPO, editor_data, login, submit_opinion
from tests.databases import sqlite_file_copy

# The servers these tests start run in other processes, on the real clock (see real_clock).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("real_clock")]


@pytest.fixture(autouse=True)
def shared_database(transactional_db, tmp_path):
    """A database that separate connections share (see the module docstring)."""
    if connection.vendor != "sqlite":
        yield
        return
    with sqlite_file_copy(tmp_path / "shared.sqlite3"):
        yield


@pytest.fixture
def server(shared_database):
    """pytest-django's live server, started for this test only, on 127.0.0.1."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("127.0.0.1")
    yield live
    live.stop()


@dataclass
class Answer:
    status: int
    location: str
    text: str
    headers: dict[str, str]


def fetch(
    base: str,
    method: str,
    path: str,
    *,
    cookie: str = "",
    data: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One HTTP request, redirects not followed."""
    address = urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        sent = {"Cookie": cookie, **(headers or {})}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, sent)
        response = conn.getresponse()
        return Answer(
            response.status,
            response.getheader("Location") or "",
            response.read().decode("utf-8", "replace"),
            dict(response.getheaders()),
        )
    finally:
        conn.close()


def session_cookie(user: User) -> str:
    """A signed-in session of `user`, saved in the database the server reads."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Browser:
    """One signed-in user's browser: the session cookie, and a CSRF cookie sent back in the
    X-CSRFToken header as the portal's pages do."""

    def __init__(self, base: str, user: User):
        self.base, self.csrf = base, _get_new_csrf_string()
        self.cookie = f"{session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={self.csrf}"

    def get(self, path: str) -> Answer:
        return fetch(self.base, "GET", path, cookie=self.cookie)

    def post(self, path: str, data: dict | None = None) -> Answer:
        return fetch(
            self.base, "POST", path, cookie=self.cookie, data=data or {}, headers={"X-CSRFToken": self.csrf}
        )


def at_once(actions: list[Callable[[], Answer]]) -> list[Answer]:
    """Run the actions in threads released together; return their answers in order."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = actions[index]()
        except Exception as error:  # reported below, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failures = [result for result in results if not isinstance(result, Answer)]
    assert not failures, failures
    return results


# --- REL-02: a button clicked ten times at once moves the reply once ----------------------------


@pytest.fixture
def ready_to_submit(draft, cohandler, union_assignment):
    submit_opinion(cohandler, union_assignment)
    return draft


@pytest.fixture
def approved(submitted, leader, pki):
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    return Reply.objects.get(pk=submitted.pk)


MOVES = {  # verb: (URL name, who clicks, fixture with the reply ready, status after)
    "submit": ("reply_submit", "clerk", "ready_to_submit", "submitted"),
    "sign_off": ("reply_sign_off", "leader", "submitted", "approved"),
    "issue": ("reply_issue", "clerk", "approved", "issued"),
}


@pytest.mark.parametrize("verb", list(MOVES))
def test_ten_concurrent_posts_of_a_workflow_button_change_the_state_once(verb, server, request):
    url_name, username, ready, target = MOVES[verb]
    reply = request.getfixturevalue(ready)
    browser = Browser(server.url, request.getfixturevalue(username))
    detail = reverse("reply_detail", args=[reply.pk])
    assert browser.get(detail).status == 200

    answers = at_once([lambda: browser.post(reverse(url_name, args=[reply.pk]))] * 10)

    # Every click gets the same answer (back to the reply); none fails.
    assert [(answer.status, answer.location) for answer in answers] == [(302, detail)] * 10
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.status == target
    assert ReplyEvent.objects.filter(reply=reply, verb=verb).count() == 1
    assert AuditEvent.objects.filter(event=f"reply_{verb}", object_id=str(reply.pk)).count() == 1
    assert verify_chain()[1] == []
    if verb == "issue":
        stored = list((Path(settings.MEDIA_ROOT) / "replies").rglob("*.pdf"))
        assert [path.name for path in stored] == [Path(reply.pdf.name).name]  # one letter rendered and kept


# --- REL-01: two editors save the same draft at the same moment ---------------------------------


def test_two_editors_saving_at_once_one_wins_and_the_other_gets_the_conflict_page(
    draft, clerk, hr_agency, server
):
    colleague = User(username="clerk2", first_name="周敏", role=UserRole.CLERK, agency=hr_agency)
    colleague.set_password(PASSWORD)
    colleague.save()
    editors = {"甲": Browser(server.url, clerk), "乙": Browser(server.url, colleague)}
    edit = reverse("reply_edit", args=[draft.pk])
    versions_before = ReplyVersion.objects.filter(reply=draft).count()
    saves_before = AuditEvent.objects.filter(event="reply_save", object_id=str(draft.pk)).count()
    for browser in editors.values():  # both load the editor at the same version
        page = browser.get(edit)
        assert page.status == 200
        assert re.search(r'name="version" value="(\d+)"', page.text).group(1) == str(draft.version)
    typed = {name: editor_data(draft, [(1, f"{name}的小标题", f"{name}写的内容。")]) for name in editors}

    answers = dict(
        zip(
            editors,
            at_once([lambda name=name: editors[name].post(edit, typed[name]) for name in editors]),
            strict=False,
        )
    )

    assert sorted(answer.status for answer in answers.values()) == [302, 409]
    winner = next(name for name, answer in answers.items() if answer.status == 302)
    loser = next(name for name in answers if name != winner)
    conflict = answers[loser].text
    assert "保存冲突" in conflict and f"{winner}的小标题" in conflict and f"{loser}写的内容。" in conflict
    reply = Reply.objects.get(pk=draft.pk)
    assert reply.version == draft.version + 1
    assert ReplyVersion.objects.filter(reply=draft).count() == versions_before + 1
    assert AuditEvent.objects.filter(event="reply_save", object_id=str(draft.pk)).count() == saves_before + 1
    assert list(Measure.objects.filter(reply=draft).values_list("heading", flat=True)) == [
        f"{winner}的小标题"
    ]


# --- REL-04: the database goes away and comes back ----------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, logs: Path) -> Iterator[str]:
    """The portal under gunicorn (one sync worker, persistent connections as deployed) on
    127.0.0.1, using `database_url`; yields its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_CONN_MAX_AGE": "60"}
    with open(logs, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
                "--no-control-socket",
                "suizhou_replies.wsgi:application",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert process.poll() is None and time.monotonic() < deadline, logs.read_text()
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def postgres_url(host: str, port: int | str) -> str:
    settings_dict = connection.settings_dict
    user = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


class Relay:
    """A loopback TCP relay in front of the shared PostgreSQL server, so a test can take "the
    database" away from the portal and bring it back without touching the real server: `cut`
    drops every relayed connection and stops listening; `resume` listens again on the same port."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream, self.port = upstream, free_port()
        self.sockets: list[socket.socket] = []
        self.resume()

    def resume(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.1)
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self.open = False
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()

    def _accept(self) -> None:
        listener = self.listener
        while self.open:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)


def timed_get(base: str, cookie: str) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = fetch(base, "GET", "/", cookie=cookie)
    return answer, time.monotonic() - started


def test_after_postgresql_ends_every_connection_the_next_request_is_served(clerk, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend ends server connections: PostgreSQL only (SQLite has no server)")
    import psycopg2

    cookie = session_cookie(clerk)
    settings_dict = connection.settings_dict
    with gunicorn(
        postgres_url(settings_dict["HOST"], settings_dict["PORT"]), tmp_path / "gunicorn.log"
    ) as base:
        assert fetch(base, "GET", "/", cookie=cookie).status == 200  # the worker keeps its connection open
        killer = psycopg2.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"],
            password=settings_dict["PASSWORD"] or None,
            host=settings_dict["HOST"],
            port=settings_dict["PORT"],
        )
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            ended = cursor.rowcount
        killer.close()
        connection.close()  # the test's own connection was ended too
        assert ended >= 1
        answer = fetch(base, "GET", "/", cookie=cookie)
        assert answer.status == 200, (answer.status, (tmp_path / "gunicorn.log").read_text()[-3000:])
        assert "孙建波" in answer.text


def test_database_outage_gives_a_chinese_503_within_5_seconds_and_recovery_needs_no_restart(clerk, tmp_path):
    cookie = session_cookie(clerk)
    relay = None
    if connection.vendor == "postgresql":
        relay = Relay(
            (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
        )
        url, take_down, bring_back = postgres_url("127.0.0.1", relay.port), relay.cut, relay.resume
    else:
        live = Path(connection.settings_dict["NAME"])
        moved = tmp_path / "database" / "portal.sqlite3"  # its folder does not exist yet

        def bring_back() -> None:
            moved.parent.mkdir()
            with (
                contextlib.closing(sqlite3.connect(live)) as source,
                contextlib.closing(sqlite3.connect(moved)) as target,
            ):
                source.backup(target)

        url, take_down = f"sqlite:///{moved}", None
    logs = tmp_path / "gunicorn.log"
    with contextlib.ExitStack() as stack:
        if relay is not None:
            stack.callback(relay.cut)
        base = stack.enter_context(gunicorn(url, logs))
        if take_down:
            assert fetch(base, "GET", "/", cookie=cookie).status == 200
            take_down()
        for _ in range(2):  # the dropped connection, then a fresh attempt
            answer, seconds = timed_get(base, cookie)
            assert answer.status == 503 and seconds < 5, (answer.status, seconds, logs.read_text()[-3000:])
            assert "系统暂时无法访问" in answer.text and "数据库暂时无法连接" in answer.text
            assert "Traceback" not in answer.text and "OperationalError" not in answer.text
            assert answer.headers["Retry-After"] == "30"
        bring_back()
        answer, _ = timed_get(base, cookie)
        assert answer.status == 200, (answer.status, logs.read_text()[-3000:])
        assert "孙建波" in answer.text
