"""The drift check finds every table by walking the source, and refuses tables outside ``models`` modules."""

from __future__ import annotations

from pathlib import Path

from model_registry import import_all_models, misplaced, table_modules
from tandem.core.db import Base


def test_every_table_of_the_metadata_comes_from_a_discovered_module() -> None:
    modules = import_all_models()
    assert "tandem.identity.models" in modules and "tandem.advisor.models" in modules
    owners = {t.name: t for t in Base.metadata.sorted_tables}
    assert owners, "no tables imported"
    discovered_classes = {c for cs in table_modules().values() for c in cs}
    mapped = {m.class_.__name__ for m in Base.registry.mappers}
    assert mapped <= discovered_classes, f"tables defined outside the walk: {mapped - discovered_classes}"


def test_a_table_planted_outside_a_models_module_is_refused(tmp_path: Path) -> None:
    pkg = tmp_path / "tandem" / "web"
    pkg.mkdir(parents=True)
    (pkg / "sneaky.py").write_text("class Thing(Base):\n    __tablename__ = 'things'\n", encoding="utf-8")
    (pkg / "models.py").write_text("class Ok(Base):\n    __tablename__: str = 'oks'\n", encoding="utf-8")
    found = table_modules(tmp_path)
    assert found == {"tandem.web.models": ["Ok"], "tandem.web.sneaky": ["Thing"]}
    assert misplaced(found) == ["tandem.web.sneaky"]
