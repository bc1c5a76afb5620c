"""Renderers: the JSON contract, WeCom markdown chunks, self-contained HTML, PDF with CJK text, 1080-px PNG card."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.render import card, html, jsonout, markdown, pdf
from tandem.diagnosis.service import DiagnosisService


@pytest.fixture(scope="module")
def moutai(service: DiagnosisService) -> Diagnosis:
    return service.diagnose("600519.SH", date(2025, 4, 7))


def test_json_follows_the_interface_contract(moutai: Diagnosis) -> None:
    doc = jsonout.to_dict(moutai)
    assert {"code", "name", "as_of", "composite", "dimensions", "brief", "disclaimer"} <= set(doc)
    assert doc["code"] == "600519.SH" and doc["name"] == "贵州茅台" and doc["as_of"] == "2025-04-07"
    assert {"score", "rank"} <= set(doc["composite"])
    for dim in doc["dimensions"]:
        assert {"key", "label", "score", "evidence"} <= set(dim)
        for ev in dim["evidence"]:
            assert {"value", "source", "as_of"} <= set(ev)
    assert set(doc["brief"]) >= {"zh", "en"}
    assert [m["key"] for m in doc["missing_dimensions"]] == ["health"]


def test_markdown_chunks_fit_wecom(moutai: Diagnosis) -> None:
    text = markdown.to_markdown(moutai)
    assert "贵州茅台" in text and moutai.brief.zh in text
    for limit in (4096, 700, 50):
        chunks = markdown.chunk_markdown(text, limit)
        assert all(len(c.encode("utf-8")) <= limit for c in chunks)
        assert "".join(chunks).replace("\n", "") == text.strip().replace("\n", "")
    big = markdown.chunk_markdown(text * 3)
    assert len(big) >= 2 and all(len(c.encode("utf-8")) <= 4096 for c in big)


def test_html_is_self_contained(moutai: Diagnosis) -> None:
    page = html.to_html(moutai)
    assert page.count("<svg") == 2 and "贵州茅台" in page
    assert "http://" not in page.split("<svg")[0] and "<script src" not in page
    assert "风险提示" in page


def test_pdf_embeds_the_cjk_font_and_contains_the_name(moutai: Diagnosis, tmp_path: Path) -> None:
    data = pdf.to_pdf(moutai)
    assert data.startswith(b"%PDF") and b"SimHei" in data and b"FontFile2" in data
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: checked the embedded font only")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "贵州茅台" in text and "三分钟速览" in text


def test_png_card_is_1080_wide(moutai: Diagnosis) -> None:
    data = card.to_png(moutai)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1080 and height > 1080
