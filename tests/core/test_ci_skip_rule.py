import subprocess
import sys
import textwrap
from pathlib import Path


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    tests = Path(__file__).parents[1]
    for name in ("conftest.py", "production_mode.py"):  # the suite's conftest and the fixtures module it imports
        (tmp_path / name).write_text((tests / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "test_x.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.redis
            def test_needs_redis():
                pytest.skip("no redis here")
            """
        ),
        encoding="utf-8",
    )
    env = {"CI": ci, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "redis or not redis", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )


def test_service_skip_fails_under_ci(tmp_path: Path) -> None:
    result = _run(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "CI=true forbids skipping" in result.stdout


def test_service_skip_is_a_skip_on_a_laptop(tmp_path: Path) -> None:
    result = _run(tmp_path, "")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
