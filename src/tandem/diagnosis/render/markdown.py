"""Markdown for WeCom: the report as text, split into messages of at most 4096 bytes of UTF-8 each.

WeCom's markdown message limit is 4096 bytes. Chunks break at paragraph boundaries; a paragraph longer than the
limit is cut at character boundaries (never inside a multi-byte character).
"""

from __future__ import annotations

from tandem.core.i18n import Lang, translate
from tandem.diagnosis.models import Diagnosis, DimensionScore

WECOM_LIMIT = 4096


def to_markdown(diag: Diagnosis, lang: Lang = "zh") -> str:
    """The whole report as Markdown (title, composite, brief, dimension table, evidence, disclaimer)."""
    c = diag.composite
    composite = (
        translate(lang, "report.md.composite", score=c.score, universe=c.universe, rank=c.rank)
        if c.score is not None
        else translate(lang, "report.md.no_composite")
    )
    lines = [
        translate(lang, "report.md.title", title=diag.title(lang)),
        "",
        composite,
        "",
        translate(lang, "report.md.brief"),
        "",
        diag.brief.text(lang),
        "",
        translate(lang, "report.md.dimensions"),
        "",
        translate(lang, "report.md.table_head"),
        "|---|---|---|",
    ]
    for d in diag.dimensions:
        score = str(d.score) if d.score is not None else "—"
        lines.append(f"| {d.label.render(lang)} | {score} | {verdict_text(d, lang)} |")
    lines += ["", translate(lang, "report.md.evidence"), ""]
    for d in diag.dimensions:
        for e in d.evidence:
            lines.append(f"- {e.label.render(lang)}：{e.display}（{e.source}，{e.when(lang)}）")
    lines += ["", c.weights_note.render(lang), ""]
    lines += [f"> {line}" for line in diag.disclaimer.render(lang).splitlines()]
    return "\n".join(lines) + "\n"


def missing_text(d: DimensionScore, lang: Lang) -> str:
    """Why ``d`` is not scored, in ``lang`` ("" when it is scored)."""
    return d.missing_reason.render(lang) if d.missing_reason is not None else (d.missing or "")


def verdict_text(d: DimensionScore, lang: Lang) -> str:
    """The verdict of a scored dimension, or ``缺失：<reason>`` for a missing one."""
    if d.score is not None:
        return d.verdict.render(lang)
    return translate(lang, "report.missing", reason=missing_text(d, lang))


def _split_long(par: str, limit: int) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    size = 0
    for ch in par:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(cur))
            cur, size = [], 0
        cur.append(ch)
        size += n
    if cur:
        out.append("".join(cur))
    return out


def chunk_markdown(text: str, limit: int = WECOM_LIMIT) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` UTF-8 bytes, at paragraph boundaries where possible."""
    chunks: list[str] = []
    cur = ""
    for par in text.split("\n\n"):
        pieces = _split_long(par, limit) if len(par.encode("utf-8")) > limit else [par]
        for piece in pieces:
            candidate = f"{cur}\n\n{piece}" if cur else piece
            if len(candidate.encode("utf-8")) <= limit:
                cur = candidate
            else:
                chunks.append(cur)
                cur = piece
    if cur:
        chunks.append(cur)
    return chunks
