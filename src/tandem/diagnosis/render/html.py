"""A self-contained HTML report: charts are inline SVG (matplotlib), no CDN, no external files."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from tandem.compliance.disclaimers import ai_content_label
from tandem.core.models import BOARD_LABELS_ZH, Board
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render.charts import price_image, radar_image


def _svg(data: bytes) -> str:
    text = data.decode("utf-8")
    return text[text.index("<svg") :]


def to_html(diag: Diagnosis) -> str:
    """The report page as one HTML string."""
    env = Environment(loader=PackageLoader("tandem.diagnosis.render", "templates"), autoescape=select_autoescape())
    board = BOARD_LABELS_ZH.get(Board(diag.board), diag.board) if diag.board in Board.__members__ else diag.board
    return env.get_template("report.html").render(
        d=diag,
        board=board,
        radar=_svg(radar_image(diag, "svg")),
        price=_svg(price_image(diag, "svg")),
        ai_label=ai_content_label("zh"),
    )
