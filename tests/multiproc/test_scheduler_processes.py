"""Three ``tandem scheduler --once`` processes started at once run each due daily job once (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from multiproc_helpers import child_env
from sqlalchemy import select

from tandem.compute.daily.models import DailyRun
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.migrations.migrate import migrate_app_db

SCHEDULE = "education-reads@00:00"  # due all day long, and quick on an empty home


def _last_json(stdout: str) -> dict[str, list[dict[str, object]]]:
    start = stdout.rfind("\n{")
    data: dict[str, list[dict[str, object]]] = json.loads(stdout[start + 1 :] if start >= 0 else stdout)
    return data


def _three_schedulers(home: Path, database_url: str | None) -> list[list[dict[str, object]]]:
    settings = {"home": str(home), "schedule": SCHEDULE}
    if database_url:
        settings["database_url"] = database_url
    env = child_env(**settings)
    argv = [sys.executable, "-m", "tandem", "scheduler", "--once", "--format", "json"]
    pipe = subprocess.PIPE
    procs = [subprocess.Popen(argv, env=env, stdout=pipe, stderr=pipe, text=True) for _ in range(3)]
    ran = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        ran.append(_last_json(out)["ran"])
    return ran


def _check(home: Path, database_url: str | None) -> None:
    s = Settings(home=home, database_url=database_url)
    migrate_app_db(s)  # as `tandem db upgrade` does before the units start
    first = _three_schedulers(home, database_url)
    runs = [r for ran in first for r in ran]
    assert [(r["job"], r["exit_code"]) for r in runs] == [("education-reads", 0)], first
    again = _three_schedulers(home, database_url)
    assert again == [[], [], []]  # the day's run is recorded: nobody runs it a second time
    engine = make_engine(s.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as db:
            rows = list(db.scalars(select(DailyRun)))
    finally:
        engine.dispose()
    assert [(r.job, r.status, r.attempts) for r in rows] == [("education-reads", "done", 1)]
    assert rows[0].detail is not None and "content_read event(s)" in rows[0].detail


def test_three_schedulers_on_sqlite_run_the_daily_job_once(tmp_path: Path) -> None:
    _check(tmp_path / "home", None)


@pytest.mark.postgres
def test_three_schedulers_on_postgresql_run_the_daily_job_once(tmp_path: Path, pg_schema_url: str) -> None:
    _check(tmp_path / "home", pg_schema_url)
