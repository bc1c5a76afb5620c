from pathlib import Path

import pytest
from pydantic import ValidationError

from tandem.core.settings import Settings, load_settings


def test_defaults_live_under_the_data_home(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("TANDEM_HOME", "TANDEM_DATABASE_URL", "TANDEM_COMPUTE"):
        monkeypatch.delenv(key, raising=False)
    s = load_settings()
    assert s.home == Path("var")
    assert s.market_dir == Path("var") / "market"
    assert s.sqlalchemy_url.startswith("sqlite:///") and s.sqlalchemy_url.endswith("var/tandem.db")
    assert s.compute == "local"


def test_environment_variables_configure_everything(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TANDEM_HOME", str(tmp_path))
    monkeypatch.setenv("TANDEM_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("TANDEM_COMPUTE", "ray")
    s = load_settings()
    assert s.home == tmp_path
    assert s.sqlalchemy_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert s.compute == "ray"


def test_bad_values_are_rejected_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_COMPUTE", "gpu")
    with pytest.raises(ValidationError, match="compute"):
        load_settings()


def test_explicit_overrides_win() -> None:
    assert Settings(home=Path("/x")).market_dir == Path("/x/market")
