"""``dispatch`` and ``dead-letters list|replay`` registered on an engagement sub-app, on a migrated SQLite home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from delivery_fixtures import NOON, RecordingChannel, candidate, client, push_service
from typer.testing import CliRunner

from tandem.cli.engagement_dispatch import register
from tandem.core.db import make_engine, make_sessionmaker, session_scope
from tandem.core.errors import NotFoundError, UserError
from tandem.engagement.delivery.channels.base import OutgoingMessage, PermanentChannelError
from tandem.engagement.delivery.channels.inapp import notifications_for
from tandem.engagement.delivery.dispatcher import Dispatcher
from tandem.migrations.runner import upgrade


class Broken(RecordingChannel):
    def send(self, message: OutgoingMessage) -> None:
        raise PermanentChannelError(f"client {message.client_id}: broken on purpose")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("TANDEM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TANDEM_DATABASE_URL", raising=False)
    monkeypatch.delenv("TANDEM_REDIS_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    engagement = typer.Typer()
    register(engagement)
    return engagement


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'home' / 'tandem.db').resolve()}"


def test_dispatch_delivers_and_dead_letters_can_be_listed_and_replayed(app: typer.Typer, tmp_path: Path) -> None:
    upgrade(_url(tmp_path))
    sessions = make_sessionmaker(make_engine(_url(tmp_path)))
    with session_scope(sessions) as s:
        push_service(sessions).submit(
            s, candidates=[candidate(fact=f"f{i}") for i in range(3)], clients={"c1": client()}, now=NOON
        )
    runner = CliRunner()
    res = runner.invoke(app, ["dispatch", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["channels"] == ["inapp"] and report["rounds"][0]["sent"] == 3
    assert len(notifications_for(sessions, client_id="c1")) == 3

    with session_scope(sessions) as s:
        push_service(sessions).submit(s, candidates=[candidate(fact="bad")], clients={"c1": client()}, now=NOON)
    Dispatcher(sessions=sessions, channels={"inapp": Broken()}).run_once()
    listed = json.loads(runner.invoke(app, ["dead-letters", "list", "--json"]).output)
    assert [(d["client_id"], d["attempts"]) for d in listed] == [("c1", 1)]
    assert "broken on purpose" in listed[0]["error"]
    table = runner.invoke(app, ["dead-letters", "list"]).output
    assert "dead letters (1)" in table and "broken on purpose" in table

    bad = runner.invoke(app, ["dead-letters", "replay", str(listed[0]["id"]), "999"])
    assert isinstance(bad.exception, NotFoundError)
    res = runner.invoke(app, ["dead-letters", "replay", "--all", "--actor", "ops-1"])
    assert res.exit_code == 0 and "re-queued 1 dead letter" in res.output
    res = runner.invoke(app, ["dispatch", "--loop", "--max-rounds", "2", "--interval", "0.1"])
    assert res.exit_code == 0 and "total" in res.output
    assert len(notifications_for(sessions, client_id="c1")) == 4


def test_an_unmigrated_database_names_the_fix(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    res = CliRunner().invoke(app, ["dead-letters", "list"])
    assert isinstance(res.exception, UserError) and "run `tandem db upgrade` first" in str(res.exception)
    res = CliRunner().invoke(app, ["dead-letters", "replay"])
    assert isinstance(res.exception, UserError)
