"""``tandem accounts seed-demo`` as a user runs it: migrates a fresh home and prints loginable demo accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.settings import Settings
from tandem.identity import load_secret, make_keys
from tandem.identity.accounts import authenticate


def test_seed_demo_creates_accounts_that_log_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "TANDEM_HOME": str(home)}
    args = [sys.executable, "-m", "tandem.cli.main", "accounts", "seed-demo", "--format", "json"]
    r = subprocess.run([*args, "--password", "Cli-demo-2026x"], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["password"] == "Cli-demo-2026x"
    assert {a["role"] for a in out["accounts"]} == {"investor", "advisor", "operations", "compliance"}
    settings = Settings(home=home)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as db:
            user = authenticate(
                db, make_keys(load_secret(settings)), username="ops@demo.tandem", password=out["password"]
            )
            assert user.role == "operations"
    finally:
        engine.dispose()


def test_seed_demo_refuses_a_weak_password(tmp_path: Path) -> None:
    env = {**os.environ, "TANDEM_HOME": str(tmp_path / "home")}
    r = subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", "accounts", "seed-demo", "--password", "short"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert "at least 10 characters" in r.stdout + r.stderr
