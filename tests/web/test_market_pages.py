"""The 行情诊股 page fragments in both languages, and which router owns each tab."""

from __future__ import annotations

import html
import warnings

from starlette.routing import Route

from tandem.core.i18n import keys
from tandem.web.pages import market as pages
from tandem.web.pages import quant as pages_quant

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _missing_spans(page: str) -> list[str]:
    parts = page.split('<span class="muted small dim-missing">')[1:]
    return [html.unescape(p.split("</span>", 1)[0]) for p in parts]


def test_missing_dimension_reason_is_in_the_page_language(client: TestClient, alice: dict[str, str]) -> None:
    headers = {**alice, "Accept": "text/html"}
    diag = client.app.state.tandem.diagnosis.diagnose("600519.SH")  # type: ignore[attr-defined]
    missing = [d for d in diag.dimensions if d.score is None]
    assert missing and all(
        d.missing_reason.render("zh") for d in missing
    )  # the sample has no cash-flow data for 600519
    zh = client.get("/market/diagnosis/600519.SH?lang=zh", headers=headers)
    assert zh.status_code == 200
    assert _missing_spans(zh.text) == [d.missing_reason.render("zh") for d in missing]
    en = client.get("/market/diagnosis/600519.SH?lang=en", headers=headers)
    assert _missing_spans(en.text) == [d.missing for d in missing]


def test_quant_tab_has_one_route_and_no_placeholder_text(client: TestClient, alice: dict[str, str]) -> None:
    assert "/quant" in {r.path for r in pages_quant.router.routes if isinstance(r, Route)}
    assert "/quant" not in {r.path for r in pages.router.routes if isinstance(r, Route)}
    page = client.get("/quant", headers={**alice, "Accept": "text/html"})
    assert page.status_code == 200 and 'id="screener"' in page.text
    assert not [k for k in keys() if k.endswith(".pending")]  # "service not available yet" texts are gone
