"""Identity's public surface: ``tandem.identity.__all__`` names what callers use, and callers use nothing else.

The account services are the one module callers import by name (``from tandem.identity import accounts``); the
records, keys, credentials and errors come from the package itself, so its internals can move without churn.
"""

from __future__ import annotations

import re
from pathlib import Path

import tandem.identity as identity

ROOT = Path(__file__).resolve().parents[2]
INTERNAL = re.compile(r"from tandem\.identity\.(models|keys|authcache|errors|credentials|demo) import")


def test_every_public_name_exists() -> None:
    assert identity.__all__ and all(hasattr(identity, name) for name in identity.__all__)


def test_callers_outside_identity_use_the_package_surface() -> None:
    offenders = []
    for folder in ("src/tandem", "tests", "benchmarks", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(("src/tandem/identity/", "tests/identity/")):  # the package and its own unit tests
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if INTERNAL.search(line):
                    offenders.append(f"{rel}:{no}: {line.strip()}")
    assert not offenders, "import these from tandem.identity (its __all__):\n" + "\n".join(offenders)


def test_the_check_sees_a_planted_internal_import() -> None:
    assert INTERNAL.search("from tandem.identity.models import User")
    assert not INTERNAL.search("from tandem.identity import User, accounts")
