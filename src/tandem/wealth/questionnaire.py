"""Risk questionnaire: load the YAML, validate answers, score them to C1–C5 with lowest-category rules.

The questionnaire is data (``questionnaire.yaml`` next to this module, or any file with the same shape), so
compliance can change wording and scores without a code change; its ``version`` is stored with every result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from tandem.compliance.suitability import InvestorCategory
from tandem.core.errors import UserError, ValidationFailed


class Option(BaseModel):
    """One answer choice."""

    model_config = ConfigDict(frozen=True)
    key: str
    zh: str
    en: str
    score: int
    force_lowest: bool = False


class Question(BaseModel):
    """One question with its choices."""

    model_config = ConfigDict(frozen=True)
    id: str
    zh: str
    en: str
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        """Return the option with ``key`` or None."""
        return next((o for o in self.options if o.key == key), None)


class Band(BaseModel):
    """Scores from ``min_score`` up map to ``category``."""

    model_config = ConfigDict(frozen=True)
    category: InvestorCategory
    min_score: int


class CombinedRule(BaseModel):
    """A set of answers that together force the lowest category."""

    model_config = ConfigDict(frozen=True)
    answers: dict[str, str]
    reason: str


class Questionnaire(BaseModel):
    """The whole questionnaire definition."""

    model_config = ConfigDict(frozen=True)
    version: str
    validity_days: int = Field(gt=0)
    bands: tuple[Band, ...]
    questions: tuple[Question, ...]
    combined_lowest: tuple[CombinedRule, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The outcome of scoring one set of answers."""

    score: int
    category: InvestorCategory
    lowest_category: bool
    forced_by: tuple[str, ...]
    questionnaire_version: str


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """Read and validate the questionnaire YAML (the bundled one by default)."""
    if path is None:
        text = resources.files("tandem.wealth").joinpath("questionnaire.yaml").read_text(encoding="utf-8")
        where = "tandem/wealth/questionnaire.yaml"
    else:
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        return Questionnaire.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValueError) as exc:
        raise ValidationFailed(f"{where}: not a valid questionnaire: {exc}") from exc


def score_answers(questionnaire: Questionnaire, answers: Mapping[str, str]) -> ScoreResult:
    """Score ``answers`` (question id → option key); incomplete or unknown answers raise naming the ids."""
    missing = [q.id for q in questionnaire.questions if q.id not in answers]
    if missing:
        raise UserError(f"questionnaire incomplete: no answer for {', '.join(missing)}; answer every question")
    known = {q.id for q in questionnaire.questions}
    problems = [f"{k}: not a question of {questionnaire.version}" for k in answers if k not in known]
    total, forced = 0, []
    for q in questionnaire.questions:
        option = q.option(answers[q.id])
        if option is None:
            keys = ", ".join(o.key for o in q.options)
            problems.append(f"{q.id}: {answers[q.id]!r} is not an option (choose {keys})")
            continue
        total += option.score
        if option.force_lowest:
            forced.append(f"{q.id}={option.key}")
    if problems:
        raise ValidationFailed("questionnaire answers are invalid: " + "; ".join(problems), problems)
    forced += [
        r.reason for r in questionnaire.combined_lowest if all(answers.get(k) == v for k, v in r.answers.items())
    ]
    band = max((b for b in questionnaire.bands if total >= b.min_score), key=lambda b: b.min_score)
    lowest = min(questionnaire.bands, key=lambda b: b.min_score).category
    category = lowest if forced else band.category
    return ScoreResult(total, category, category == lowest, tuple(forced), questionnaire.version)
