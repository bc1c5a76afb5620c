"""Markdown for WeCom: the report as text, split into messages of at most 4096 bytes of UTF-8 each.

WeCom's markdown message limit is 4096 bytes. Chunks break at paragraph boundaries; a paragraph longer than the
limit is cut at character boundaries (never inside a multi-byte character).
"""

from __future__ import annotations

from tandem.diagnosis.models import Diagnosis

WECOM_LIMIT = 4096
_MISSING = {True: "缺失：", False: "missing: "}


def to_markdown(diag: Diagnosis, lang: str = "zh") -> str:
    """The whole report as Markdown (title, composite, brief, dimension table, evidence, disclaimer)."""
    zh = lang == "zh"
    c = diag.composite
    lines = [
        f"# {diag.title()}个股诊断" if zh else f"# {diag.title('en')} stock diagnosis",
        "",
        (f"**综合评分 {c.score} 分**，本库 {c.universe} 只中排第 {c.rank} 名" if zh else
         f"**Composite {c.score}**, rank {c.rank} of {c.universe}") if c.score is not None else
        ("综合评分：数据不足" if zh else "Composite: not enough data"),
        "",
        "## 三分钟速览" if zh else "## Three-minute brief",
        "",
        diag.brief.zh if zh else diag.brief.en,
        "",
        "## 各维度" if zh else "## Dimensions",
        "",
        "| 维度 | 得分 | 结论 |" if zh else "| Dimension | Score | Verdict |",
        "|---|---|---|",
    ]  # fmt: skip
    for d in diag.dimensions:
        label = d.label_zh if zh else d.label_en
        score = str(d.score) if d.score is not None else "—"
        reason = (d.missing_zh or d.missing) if zh else d.missing
        verdict = (
            (d.verdict_zh if zh else d.verdict_en)
            if d.score is not None
            else ("缺失：" if zh else "missing: ") + str(reason)
        )
        lines.append(f"| {label} | {score} | {verdict} |")
    lines += ["", "## 证据" if zh else "## Evidence", ""]
    for d in diag.dimensions:
        for e in d.evidence:
            lines.append(
                f"- {e.label_zh if zh else e.label_en}：{e.display}（{e.source}，{e.when('zh' if zh else 'en')}）"
            )
    lines += ["", (c.weights_note_zh if zh else c.weights_note_en), ""]
    lines += [f"> {line}" for line in (diag.disclaimer_zh if zh else diag.disclaimer_en).splitlines()]
    return "\n".join(lines) + "\n"


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
