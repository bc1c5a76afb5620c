"""The deploy/ files parse and name only commands and options that exist (a renamed command breaks this test)."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from tandem.cli.main import app
from tandem.core.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def _tandem_argv(exec_start: str) -> list[str]:
    argv = shlex.split(exec_start)
    if argv[0] == "/bin/sh":  # sh -c 'exec … tandem …'
        argv = shlex.split(argv[2].replace("exec ", "", 1))
    assert argv[0].endswith("/tandem"), exec_start
    return [a for a in argv[1:] if "$(" not in a]


def _check_cli(argv: list[str]) -> None:
    """Walk the click tree: every sub-command and every ``--option`` must exist."""
    command: Any = typer.main.get_command(app)  # typer may bundle its own click: duck-type the group
    rest = list(argv)
    while rest and hasattr(command, "list_commands") and not rest[0].startswith("-"):
        name = rest.pop(0)
        sub = command.get_command(command.context_class(command), name)
        assert sub is not None, f"no command {name!r} in {argv}"
        command = sub
    known = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for token in rest:
        if token.startswith("--"):
            assert token.split("=")[0] in known, f"{token} is not an option of {' '.join(argv)}"


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_units_parse_and_run_real_commands(path: Path) -> None:
    unit = _unit(path)
    assert unit.has_section("Unit") and unit["Unit"].get("Description")
    if path.suffix == ".timer":
        target = unit["Timer"]["Unit"]
        assert (DEPLOY / "systemd" / target).is_file(), f"{path.name} triggers a missing {target}"
        return
    service = unit["Service"]
    assert service.get("User") == "tandem", "never run as root"
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            _check_cli(_tandem_argv(service[key]))


def test_the_environment_example_names_only_real_settings() -> None:
    fields = {f"TANDEM_{name.upper()}" for name in Settings.model_fields}
    fields.add("TANDEM_BACKUP_PASSPHRASE")  # read by `tandem backup` itself (typer envvar)
    for line in (DEPLOY / "tandem.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            assert key in fields, f"{key} is not a setting"
            if value.startswith("["):
                json.loads(value)


def test_the_proxy_config_is_balanced_and_hides_metrics() -> None:
    text = (DEPLOY / "nginx" / "tandem.conf").read_text(encoding="utf-8")
    code = re.sub(r"#.*", "", text)
    assert code.count("{") == code.count("}")
    assert all(line.rstrip().endswith(("{", "}", ";")) for line in code.splitlines() if line.strip())
    assert re.search(r"location /metrics \{\s*deny all;", code)
    assert "proxy_buffering off" in code, "server-sent events need an unbuffered location"
