"""The scene plan of a video: the brief's sentences assigned to scenes, split into subtitle-sized cues.

Narration comes from the brief (zh or en) sentence by sentence; a sentence goes to the scene whose evidence
numbers it cites most (the composite sentence to the overview, the missing-dimensions sentence to the missing
scene, a sentence citing nothing to the scene of the sentence before it). Scenes the video always shows (K-line,
capital flow, risk) but the brief is silent about get a short line from the dimension's own verdict or missing
reason; missing dimensions are each named with the reason. Every cue passes the phrase guard, so nothing the
guard rejects is spoken or shown.
"""

from __future__ import annotations

import re

from tandem.compliance.disclaimers import ai_content_label, risk_disclaimer
from tandem.compliance.phrase_guard import ensure_no_forbidden_phrases
from tandem.core.i18n import LANGS, translate
from tandem.diagnosis.brief import BOARDS
from tandem.diagnosis.models import Diagnosis, DimensionScore
from tandem.diagnosis.numbers import number_tokens
from tandem.diagnosis.render.card import wrap
from tandem.diagnosis.render.markdown import missing_text
from tandem.diagnosis.render.video.models import Lang, Scene, SceneKind

DIMENSION_SCENES = ("valuation", "profitability", "growth", "health", "relative_strength", "industry")
"""Dimensions shown on their own evidence scene, in display order (technical, flow and risk have their own)."""
LINE_COLS = {"zh": 34, "en": 34}
"""Subtitle line width in display columns at the subtitle font size: 34 × 27 px = 918 px of the 1080 (SimHei draws a
CJK character two columns wide and a Latin one column, half an em)."""
CUE_LINES = 2
_SPLIT = {"zh": re.compile(r"(?<=[。！？])"), "en": re.compile(r"(?<=[.!?;])\s+")}
_CLAUSE = {"zh": re.compile(r"(?<=[，；：])"), "en": re.compile(r"(?<=[,;:])\s+")}
_JOINER = {"zh": "", "en": " "}
"""How the clauses of one cue are put back together: Chinese runs on, English is spaced."""
_OVERALL = {"zh": ("综合评分", "可用数据不足"), "en": ("Composite score", "Too little data")}
_MISSING = {"zh": ("未评分维度",), "en": ("Not scored",)}
_ALIASES = {"资金面": "capital_flow", "Capital flow": "capital_flow", "技术面": "technical", "Technically": "technical"}
"""Words that name a dimension in a sentence citing none of its numbers (the brief's wording)."""


def board_label(board: str, lang: Lang) -> str:
    """The board in words: 上交所主板 / the Shanghai main board (the raw value when unknown)."""
    return translate(lang, f"brief.board.{board}") if board in BOARDS else board


def sentences(text: str, lang: Lang) -> list[str]:
    """The brief cut into sentences (punctuation kept)."""
    return [s.strip() for s in _SPLIT[lang].split(text) if s.strip()]


def cues_of(sentence: str, lang: Lang) -> list[str]:
    """Subtitle cues of one sentence: clauses grouped while they fit in two lines; numbers are never cut."""
    cols = LINE_COLS[lang]
    out: list[str] = []
    cur = ""
    joiner = _JOINER[lang]
    for clause in (c.strip() for c in _CLAUSE[lang].split(sentence) if c.strip()):
        candidate = f"{cur}{joiner}{clause}" if cur else clause
        if len(wrap(candidate, cols)) <= CUE_LINES:
            cur = candidate
            continue
        if cur:
            out.append(cur)
        lines = wrap(clause, cols)
        while len(lines) > CUE_LINES:  # one clause longer than a cue: cut at line breaks
            out.append(joiner.join(lines[:CUE_LINES]))
            lines = lines[CUE_LINES:]
        cur = joiner.join(lines)
    if cur:
        out.append(cur)
    return out


def _assign(
    sentence: str, diag: Diagnosis, lang: Lang, previous: tuple[SceneKind, str | None]
) -> tuple[SceneKind, str | None]:
    if any(word in sentence for word in _OVERALL[lang]):
        return "overview", None
    if any(word in sentence for word in _MISSING[lang]):
        return "missing", None
    tokens = set(number_tokens(sentence))
    best, hits = None, 0
    for d in diag.dimensions:
        cited = {t for e in d.evidence for t in number_tokens(e.display)} & tokens
        if len(cited) > hits:
            best, hits = d, len(cited)
    if best is None:
        named = [k for word, k in _ALIASES.items() if word in sentence]
        named += [d.key for d in diag.dimensions if _label(d, lang) in sentence]
        return (_kind_of(named[0]), named[0]) if named else previous
    return _kind_of(best.key), best.key


def _kind_of(key: str) -> SceneKind:
    if key in ("technical", "capital_flow", "risk"):
        return key  # type: ignore[return-value]
    return "dimension"


def _label(d: DimensionScore, lang: Lang) -> str:
    return d.label.render(lang)


def _reason(d: DimensionScore, lang: Lang) -> str:
    return missing_text(d, lang).rstrip("。.")


def _fallback(d: DimensionScore, lang: Lang) -> str:
    """A line for a scene the brief does not speak about: the verdict, or why the dimension has no score."""
    if d.score is None:
        return translate(lang, "video.not_scored_line", label=_label(d, lang), reason=_reason(d, lang))
    return translate(lang, "video.verdict_line", label=_label(d, lang), verdict=d.verdict, score=d.score)


def _ai_line(lang: Lang) -> str:
    return translate(lang, "video.label_line", label=ai_content_label(lang))


def _title_lines(diag: Diagnosis, lang: Lang) -> list[str]:
    return [_ai_line(lang)] if diag.brief.ai_generated else []


def _closing_lines(diag: Diagnosis, lang: Lang) -> list[str]:
    lines = [*sentences(risk_disclaimer(lang, kind="stock"), lang)]
    if diag.brief.ai_generated:
        lines.append(_ai_line(lang))
    return lines


def plan_scenes(diag: Diagnosis, lang: Lang = "zh") -> tuple[Scene, ...]:
    """The scenes of ``diag``'s video in ``lang``: title, overview, K-line, dimensions, flow, risk, missing, closing.

    Raises :class:`~tandem.compliance.phrase_guard.PhraseGuardError` naming the scene and cue if any cue
    contains a phrase the guard rejects.
    """
    if lang not in LANGS:
        raise ValueError(f"video language must be zh or en, not {lang!r}")
    said: dict[tuple[SceneKind, str | None], list[str]] = {}
    where: tuple[SceneKind, str | None] = ("title", None)
    for s in sentences(diag.brief.text(lang), lang):
        where = _assign(s, diag, lang, where)
        said.setdefault(where, []).append(s)
    dims = {d.key: d for d in diag.dimensions}
    explained: set[str] = set()
    order: list[tuple[SceneKind, str | None]] = [("title", None), ("overview", None), ("technical", "technical")]
    order += [("dimension", k) for k in DIMENSION_SCENES if ("dimension", k) in said]
    order += [("capital_flow", "capital_flow"), ("risk", "risk"), ("missing", None), ("closing", None)]
    scenes: list[Scene] = []
    for kind, key in order:
        lines = list(said.get((kind, key), []))
        if kind == "title":
            lines = _title_lines(diag, lang) + lines
        elif kind == "closing":
            lines += _closing_lines(diag, lang)
        elif key in dims and not lines:
            lines = [_fallback(dims[key], lang)]
            explained.add(key)
        elif kind == "missing":
            lines += [_fallback(d, lang) for d in diag.dimensions if d.score is None and d.key not in explained]
            if not lines:
                continue
        scenes.append(Scene(kind=kind, key=key, cues=tuple(c for line in lines for c in cues_of(line, lang))))
    for i, scene in enumerate(scenes):
        for j, cue in enumerate(scene.cues):
            ensure_no_forbidden_phrases(cue, where=f"video of {diag.code}, scene {i} ({scene.kind}), cue {j}")
    return tuple(scenes)
