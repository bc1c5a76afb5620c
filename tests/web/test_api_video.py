"""The stock page's play button and the API get the same rendered-once video and its subtitles."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.mark.slow
def test_video_is_rendered_once_and_served_with_its_subtitles(
    app: FastAPI, client: TestClient, alice: dict[str, str]
) -> None:
    assert client.get("/api/v1/stocks/600519.SH/video").status_code == 401
    assert client.get("/api/v1/stocks/600520.SH/video", headers=alice).status_code == 404
    first = client.get("/api/v1/stocks/600519.SH/video", headers=alice)
    assert first.status_code == 200 and first.headers["content-type"] == "video/mp4"
    assert first.content[4:8] == b"ftyp"
    folder = app.state.tandem.settings.home / "videos" / "zh"
    files = sorted(p.name for p in folder.glob("600519.SH-*"))
    assert len(files) == 2  # the MP4 and its .vtt
    vtt = client.get("/api/v1/stocks/600519.SH/video.vtt", headers=alice)
    assert vtt.text.startswith("WEBVTT") and "贵州茅台" in vtt.text
    again = client.get("/api/v1/stocks/600519.SH/video", headers=alice)
    assert again.content == first.content
    assert sorted(p.name for p in folder.glob("600519.SH-*")) == files, "nothing re-rendered"
    page = client.get("/market/diagnosis/600519.SH", headers=alice)
    assert "/api/v1/stocks/600519.SH/video?lang=zh" in page.text
