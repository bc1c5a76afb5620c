"""Frames of each scene: a header (name, code, data date, the AI label when due), the scene, the subtitle, a footer.

A scene is drawn once; each of its cues is that picture with the cue burned in as a subtitle. :func:`render_scene`
is a module-level function over a picklable :class:`FrameJob` so scenes can be drawn in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tandem.compliance.disclaimers import ai_content_label, data_date_line, risk_disclaimer
from tandem.core.i18n import translate
from tandem.diagnosis.models import Diagnosis, DimensionScore, Evidence
from tandem.diagnosis.render.card import wrap
from tandem.diagnosis.render.markdown import missing_text
from tandem.diagnosis.render.video import plots
from tandem.diagnosis.render.video.canvas import GREY, HEIGHT, MARGIN, RED, WIDTH, Canvas
from tandem.diagnosis.render.video.models import Lang, Scene
from tandem.diagnosis.render.video.script import LINE_COLS, board_label

TITLE_NAME_XY, TITLE_NAME_SIZE = (MARGIN, 620), 110
"""Where the title card prints the stock name (the font test compares this region with a reference rendering)."""
SUB_TOP, SUB_BOTTOM, SUB_SIZE = 1440, 1720, 54
CONTENT_TOP = 290


def _w(lang: Lang, key: str, **params: object) -> str:
    """A word of the frames (``video.*`` in the catalogue)."""
    return translate(lang, f"video.{key}", **params)


@dataclass(frozen=True, slots=True)
class FrameJob:
    """Everything needed to draw one scene's frames, picklable for a worker process."""

    diag: Diagnosis
    scene: Scene
    index: int
    lang: Lang
    font_path: Path
    out_dir: Path
    bars: pd.DataFrame | None = None
    flow: pd.Series | None = None


def _header(cv: Canvas, diag: Diagnosis, lang: Lang) -> None:
    cv.text((MARGIN, 50), diag.title(lang), 60)
    cv.text(
        (MARGIN, 138), f"{board_label(diag.board, lang)} · {_w(lang, 'date')} {diag.data_date.isoformat()}", 34, GREY
    )
    if diag.brief.ai_generated:
        cv.text((MARGIN, 196), ai_content_label(lang), 36, RED)
    cv.rule(262)


def _footer(cv: Canvas, diag: Diagnosis, lang: Lang) -> None:
    cv.centered(1800, f"{data_date_line(diag.data_date, lang)} · {_w(lang, 'ref')}", 30, GREY)


def _lines(cv: Canvas, y: int, text: str, size: int, lang: Lang, fill: tuple[int, int, int] = (33, 37, 41)) -> int:
    cols = int(LINE_COLS[lang] * 54 / size)
    for line in wrap(text, cols):
        y = cv.text((MARGIN, y), line, size, fill)
    return y


def _evidence(cv: Canvas, y: int, items: tuple[Evidence, ...], lang: Lang, limit: int = 1400) -> int:
    for e in items:
        if y > limit - 150:
            break
        y = cv.text((MARGIN, y), e.label.render(lang), 34, GREY)
        cv.text((MARGIN, y - 4), e.display, 62, RED)
        width = int(cv.draw.textlength(e.display, font=_font(cv, 62)))
        y = cv.text((MARGIN + width + 30, y + 22), e.when(lang), 28, GREY) + 24
    return y


def _font(cv: Canvas, size: int):  # type: ignore[no-untyped-def]
    from tandem.diagnosis.render.video.canvas import font

    return font(cv.font_path, size)


def _heading(cv: Canvas, d: DimensionScore, lang: Lang) -> int:
    score = _w(lang, "score", score=d.score) if d.score is not None else _w(lang, "unscored")
    y = cv.text((MARGIN, CONTENT_TOP), f"{d.label.render(lang)}  {score}", 56)
    if d.score is None:
        return _lines(cv, y, missing_text(d, lang), 40, lang, GREY) + 10
    return _lines(cv, y, d.verdict.render(lang), 40, lang, GREY) + 10


def _title(cv: Canvas, job: FrameJob) -> None:
    d, lang = job.diag, job.lang
    cv.text((MARGIN, 420), _w(lang, "brief"), 80, RED)
    cv.text(TITLE_NAME_XY, d.name, TITLE_NAME_SIZE)
    y = TITLE_NAME_XY[1] + 170
    y = cv.text((MARGIN, y), f"{_w(lang, 'code')}  {d.code}", 56)
    y = cv.text((MARGIN, y), f"{_w(lang, 'board')}  {board_label(d.board, lang)}", 48)
    y = cv.text((MARGIN, y), f"{_w(lang, 'industry')}  {d.industry or translate(lang, 'brief.unclassified')}", 48)
    y = cv.text((MARGIN, y), f"{_w(lang, 'date')}  {d.data_date.isoformat()}", 56, RED)
    if any("suspended" in n for n in d.notes):
        cv.text((MARGIN, y + 10), _w(lang, "suspended"), 48, RED)


def _overview(cv: Canvas, job: FrameJob) -> None:
    c = job.diag.composite
    score = str(c.score) if c.score is not None else "—"
    cv.text((MARGIN, CONTENT_TOP), _w(job.lang, "composite"), 48)
    cv.text((MARGIN + 260, CONTENT_TOP - 30), score, 120, RED)
    if c.rank is not None:
        cv.text((MARGIN, CONTENT_TOP + 120), _w(job.lang, "rank", u=c.universe, r=c.rank), 40, GREY)
    cv.paste(plots.radar_png(job.diag, job.lang, 960), (MARGIN, CONTENT_TOP + 190))


def _technical(cv: Canvas, job: FrameJob) -> None:
    d = job.diag.dimension("technical")
    y = _heading(cv, d, job.lang)
    mas = {int(e.key[2:]): e.display for e in d.evidence if e.key in ("ma20", "ma60")}
    if job.bars is not None and len(job.bars):
        y = cv.paste(plots.kline_png(job.bars, mas, job.lang, (WIDTH - 2 * MARGIN, 620)), (MARGIN, y)) + 10
    shown = tuple(e for e in d.evidence if e.key in ("close", "range60"))
    _evidence(cv, y, shown, job.lang)


def _flow(cv: Canvas, job: FrameJob) -> None:
    d = job.diag.dimension("capital_flow")
    y = _heading(cv, d, job.lang)
    if d.is_proxy or job.flow is None or not len(job.flow):
        y = _lines(cv, y, _w(job.lang, "nol2"), 36, job.lang, RED) + 10
    else:
        y = cv.text((MARGIN, y), _w(job.lang, "l2"), 36, GREY)
        y = cv.paste(plots.flow_png(job.flow, (WIDTH - 2 * MARGIN, 360)), (MARGIN, y)) + 10
    _evidence(cv, y, d.evidence, job.lang)


def _dimension(cv: Canvas, job: FrameJob) -> None:
    d = job.diag.dimension(job.scene.key or "")
    _evidence(cv, _heading(cv, d, job.lang), d.evidence, job.lang)


def _missing(cv: Canvas, job: FrameJob) -> None:
    y = cv.text((MARGIN, CONTENT_TOP), _w(job.lang, "missing"), 56)
    for d in job.diag.dimensions:
        if d.score is None and y < 1300:
            y = cv.text((MARGIN, y + 10), d.label.render(job.lang), 44, RED)
            y = _lines(cv, y, missing_text(d, job.lang), 36, job.lang, GREY)


def _closing(cv: Canvas, job: FrameJob) -> None:
    y = cv.text((MARGIN, CONTENT_TOP), _w(job.lang, "closing"), 56, RED)
    y = _lines(cv, y + 10, risk_disclaimer(job.lang, kind="stock"), 40, job.lang) + 20
    y = cv.text((MARGIN, y), data_date_line(job.diag.data_date, job.lang), 44)
    if job.diag.brief.ai_generated:
        cv.text((MARGIN, y + 10), ai_content_label(job.lang), 44, RED)


_DRAW = {"title": _title, "overview": _overview, "technical": _technical, "capital_flow": _flow,
         "risk": _dimension, "dimension": _dimension, "missing": _missing, "closing": _closing}  # fmt: skip


def draw_scene(job: FrameJob) -> Canvas:
    """The scene's picture without a subtitle (header, content, footer)."""
    cv = Canvas(job.font_path)
    _header(cv, job.diag, job.lang)
    _DRAW[job.scene.kind](cv, job)
    _footer(cv, job.diag, job.lang)
    return cv


def subtitle(cv: Canvas, text: str, lang: Lang) -> None:
    """Burn ``text`` into the subtitle band, centred, at most two lines."""
    cv.box(SUB_TOP, SUB_BOTTOM)
    lines = wrap(text, LINE_COLS[lang])
    y = SUB_TOP + (SUB_BOTTOM - SUB_TOP - len(lines) * int(SUB_SIZE * 1.35)) // 2
    for line in lines:
        y = cv.centered(y, line, SUB_SIZE)


def render_scene(job: FrameJob) -> list[Path]:
    """Draw the scene and write one PNG per cue (one PNG when the scene has no cue); returns the paths."""
    base = draw_scene(job)
    paths: list[Path] = []
    for k, cue in enumerate(job.scene.cues or ("",)):
        cv = Canvas(job.font_path)
        cv.image.paste(base.image)
        if cue:
            subtitle(cv, cue, job.lang)
        path = job.out_dir / f"s{job.index:02d}c{k:03d}.png"
        cv.image.save(path, compress_level=1)
        paths.append(path)
    return paths


def scene_texts(job: FrameJob) -> list[str]:
    """Every string drawn on the scene's frames (its picture and its subtitles), for traceability checks."""
    cv = draw_scene(job)
    return [*cv.texts, *job.scene.cues]


__all__ = ["HEIGHT", "WIDTH", "FrameJob", "render_scene", "scene_texts"]
