"""An A4 PDF report with reportlab, the CJK TrueType font embedded (subset) so Chinese renders everywhere."""

from __future__ import annotations

import io
from functools import cache

from tandem.compliance.disclaimers import ai_content_label
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.charts import price_image, radar_image
from tandem.diagnosis.render.fonts import cjk_ttf_path
from tandem.diagnosis.render.markdown import missing_text

FONT = "TandemCJK"


@cache
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(cjk_ttf_path())))
    return FONT


def to_pdf(diag: Diagnosis) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=12, textColor=colors.grey)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24)
    h2 = ParagraphStyle("h2", parent=body, fontSize=13, leading=20, spaceBefore=6)
    c = diag.composite
    score = "综合评分：数据不足"
    if c.score is not None:
        score = f"综合评分 {c.score} 分，本库 {c.universe} 只中排第 {c.rank} 名"
    radar = Image(io.BytesIO(radar_image(diag)), 70 * mm, 70 * mm)
    price = Image(io.BytesIO(price_image(diag)), 100 * mm, 46 * mm)
    story = [
        Paragraph(f"{diag.title()}个股诊断", title),
        Paragraph(f"{diag.industry or '未分类'} · 诊断日期 {diag.as_of} · 数据日期 {diag.data_date}", small),
        Spacer(1, 4 * mm),
        Paragraph(score, h2),
        Table([[radar, price]]),
        Paragraph("三分钟速览", h2),
    ]
    if diag.brief.ai_generated:
        story.append(Paragraph(ai_content_label("zh"), body))
    story += [Paragraph(diag.brief.zh, body), Paragraph("各维度与证据", h2)]
    rows = [[Paragraph(x, body) for x in ("维度", "得分", "结论与证据")]]
    for d in diag.dimensions:
        evidence = "<br/>".join(f"{e.label.render('zh')}：{e.display}（{e.when('zh')}）" for e in d.evidence)
        verdict = d.verdict.render("zh") if d.score is not None else f"缺失：{missing_text(d, 'zh')}"
        rows.append(
            [
                Paragraph(d.label.render("zh") + ("（代理）" if d.is_proxy else ""), body),
                Paragraph(str(d.score) if d.score is not None else "—", body),
                Paragraph(f"{verdict}<br/>{evidence}" if evidence else verdict, small if d.score is None else body),
            ]
        )
    table = Table(rows, colWidths=[28 * mm, 16 * mm, 126 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    story += [table, Spacer(1, 3 * mm), Paragraph(c.weights_note.render("zh"), small), Spacer(1, 3 * mm)]
    story += [Paragraph(line, small) for line in diag.disclaimer.render("zh").splitlines()]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{diag.name} {diag.code} 个股诊断",
        author="Tandem",
    )
    doc.build(story)
    return buf.getvalue()
