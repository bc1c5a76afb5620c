"""The 个股三分钟 video: scene plan, narration timing, labels, fonts, traceable numbers and bad input.

Fast tests render short videos (a few scenes); the full-length render is marked ``slow``. Every test that runs
ffmpeg or espeak-ng skips with the reason when the Debian packages are missing (``scripts/system_deps.sh``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tandem.compliance.disclaimers import ai_content_label
from tandem.compliance.phrase_guard import PhraseGuardError
from tandem.diagnosis.models import Brief, Diagnosis
from tandem.diagnosis.numbers import number_tokens
from tandem.diagnosis.render import jsonout
from tandem.diagnosis.render.fonts import cjk_ttf_path
from tandem.diagnosis.render.video import ToolMissingError, VideoTools, render_video, video_inputs
from tandem.diagnosis.render.video.canvas import HEIGHT, WIDTH, MissingGlyphError, font
from tandem.diagnosis.render.video.frames import TITLE_NAME_SIZE, TITLE_NAME_XY, FrameJob, scene_texts
from tandem.diagnosis.render.video.narration import narrate
from tandem.diagnosis.render.video.script import plan_scenes
from tandem.diagnosis.render.video.vtt import cue_texts, to_webvtt
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

DAY = date(2025, 4, 7)
HAVE_TOOLS = shutil.which("ffmpeg") is not None and shutil.which("espeak-ng") is not None
needs_tools = pytest.mark.skipif(not HAVE_TOOLS, reason="ffmpeg/espeak-ng not installed (scripts/system_deps.sh)")
DEJAVU = Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@pytest.fixture(scope="module")
def moutai(sample_service: DiagnosisService) -> Diagnosis:
    return sample_service.diagnose("600519.SH", DAY)


def allowed_numbers(doc: dict[str, object]) -> set[str]:
    """Every number token the JSON report holds: evidence, scores, rank, dates, labels, reasons, disclaimer."""
    texts: list[str] = [str(doc["code"]), str(doc["as_of"]), str(doc["data_date"])]
    comp = doc["composite"]
    assert isinstance(comp, dict)
    texts += [str(comp[k]) for k in ("score", "rank", "universe") if comp[k] is not None]
    dims = doc["dimensions"]
    assert isinstance(dims, list)
    for d in dims:
        if d["score"] is not None:
            texts.append(str(d["score"]))
        texts += [d["label"]["zh"], d["label"]["en"], d["verdict"]["zh"], d["verdict"]["en"]]
        texts += [d["missing"] or "", d["missing_zh"] or ""]
        for e in d["evidence"]:
            texts += [e["display"], e["label"]["zh"], e["label"]["en"], e["as_of"], e["report_period"] or ""]
    disclaimer = doc["disclaimer"]
    assert isinstance(disclaimer, dict)
    texts += [disclaimer["zh"], disclaimer["en"]]
    return {t for text in texts for t in number_tokens(text)}


TERMS = ("Level-2",)
"""Names that contain digits but are not numbers (the market-data product, not a quantity)."""


def untraced(texts: list[str], diag: Diagnosis) -> list[str]:
    """Number tokens of ``texts`` that the JSON report of ``diag`` does not hold."""
    allowed = allowed_numbers(json.loads(json.dumps(jsonout.to_dict(diag), ensure_ascii=False)))
    found = []
    for text in texts:
        for term in TERMS:
            text = text.replace(term, "")
        found += [t for t in number_tokens(text) if t not in allowed]
    return found


def _jobs(diag: Diagnosis, lang: str = "zh") -> list[FrameJob]:
    scenes = plan_scenes(diag, lang)  # type: ignore[arg-type]
    return [FrameJob(diag, s, i, lang, cjk_ttf_path(), Path("."), None, None) for i, s in enumerate(scenes)]  # type: ignore[arg-type]


def test_plan_has_every_required_scene_and_each_dimension_the_brief_names(moutai: Diagnosis) -> None:
    scenes = plan_scenes(moutai)
    kinds = [s.kind for s in scenes]
    assert kinds[0] == "title" and kinds[1] == "overview" and kinds[-1] == "closing"
    assert {"technical", "capital_flow", "risk", "missing"} <= set(kinds)
    shown = {s.key for s in scenes if s.kind == "dimension"}
    assert {"valuation", "profitability", "growth", "relative_strength", "industry"} <= shown
    spoken = "".join(c for s in scenes for c in s.cues)
    for sentence in moutai.brief.zh.split("。"):  # every brief sentence is narrated, word for word
        assert sentence.replace("，", "") in spoken.replace("，", "")
    valuation = next(s for s in scenes if s.key == "valuation")
    pe = next(e for e in moutai.dimension("valuation").evidence if e.key == "pe")
    assert any(pe.display in c for c in valuation.cues)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_number_on_screen_is_in_the_json_report(moutai: Diagnosis, lang: str) -> None:
    texts = [t for job in _jobs(moutai, lang) for t in scene_texts(job)]
    assert len([t for text in texts for t in number_tokens(text)]) >= 30
    assert untraced(texts, moutai) == []
    assert untraced([*texts, "目标价 2999.99"], moutai) == ["2999.99"]


@needs_tools
def test_subtitle_track_numbers_trace_to_the_json_report(moutai: Diagnosis, tmp_path: Path) -> None:
    scenes = plan_scenes(moutai)
    narration = narrate(scenes, espeak=shutil.which("espeak-ng") or "", lang="zh", work=tmp_path, max_s=180)
    vtt = to_webvtt(narration.cues)
    texts = cue_texts(vtt)
    assert texts == [c for s in scenes for c in s.cues]
    assert untraced(texts, moutai) == [] and len(number_tokens("".join(texts))) >= 15
    tampered = vtt.replace(texts[3], texts[3] + "目标价2999.99元")
    assert untraced(cue_texts(tampered), moutai) == ["2999.99"]
    starts = [c.start for c in narration.cues]
    assert starts == sorted(starts) and all(c.end > c.start for c in narration.cues)
    assert narration.scene_starts[-1] <= 180


def _probe(path: Path) -> dict[str, object]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)  # type: ignore[no-any-return]


def _frame(path: Path, at: float) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "gray", "-"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(HEIGHT, WIDTH)


def _name_box(text: str) -> tuple[int, int, int, int]:
    w = int(font(str(cjk_ttf_path()), TITLE_NAME_SIZE).getlength(text))
    x, y = TITLE_NAME_XY
    return x, y, x + w, y + int(TITLE_NAME_SIZE * 1.3)


def _drawn(text: str, font_path: Path) -> np.ndarray:
    """``text`` drawn as the title card draws the name, without the glyph check (to picture what tofu looks like)."""
    img = Image.new("L", (WIDTH, HEIGHT), 255)
    ImageDraw.Draw(img).text(TITLE_NAME_XY, text, font=font(str(font_path), TITLE_NAME_SIZE), fill=33)
    return np.asarray(img)


def _likeness(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    ia = 255.0 - a[y0:y1, x0:x1].astype(float)
    ib = 255.0 - b[y0:y1, x0:x1].astype(float)
    ia, ib = ia - ia.mean(), ib - ib.mean()
    return float((ia * ib).sum() / np.sqrt((ia * ia).sum() * (ib * ib).sum()))


@pytest.fixture(scope="module")
def short_video(moutai: Diagnosis, sample_store: MarketStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not HAVE_TOOLS:
        pytest.skip("ffmpeg/espeak-ng not installed (scripts/system_deps.sh)")
    out = tmp_path_factory.mktemp("video") / "moutai.mp4"
    render_video(moutai, out, inputs=video_inputs(sample_store, moutai), max_scenes=3, fps=2)
    return out


def test_short_video_is_vertical_h264_aac_with_subtitles(short_video: Path) -> None:
    info = _probe(short_video)
    streams = {s["codec_type"]: s for s in info["streams"]}  # type: ignore[attr-defined]
    video, audio = streams["video"], streams["audio"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1080, 1920)
    assert audio["codec_name"] == "aac" and streams["subtitle"]["codec_name"] == "mov_text"
    duration = float(info["format"]["duration"])  # type: ignore[index]
    assert 3 < duration <= 180
    tags = info["format"]["tags"]  # type: ignore[index]
    assert "AIGC" not in tags and "非人工智能生成" in tags["comment"] and tags["date"] == "2025-04-07"
    vtt = short_video.with_suffix(".vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "贵州茅台" in vtt


def test_title_frame_shows_the_name_in_the_bundled_cjk_font(short_video: Path, moutai: Diagnosis) -> None:
    frame = _frame(short_video, 0.2)
    box = _name_box(moutai.name)
    reference = _drawn(moutai.name, cjk_ttf_path())
    assert _likeness(frame, reference, box) > 0.9
    tofu = _drawn(moutai.name, DEJAVU)  # a font without CJK draws boxes: the same check rejects them
    assert _likeness(tofu, reference, box) < 0.6


def test_a_font_without_cjk_glyphs_is_refused(moutai: Diagnosis, tmp_path: Path) -> None:
    job = replace(_jobs(moutai)[0], font_path=DEJAVU)
    with pytest.raises(MissingGlyphError, match=r"no glyph for .*茅"):
        scene_texts(job)


def test_ai_written_brief_is_labelled_on_every_frame_in_speech_and_in_metadata(
    moutai: Diagnosis, tmp_path: Path
) -> None:
    ai = replace(moutai, brief=Brief(moutai.brief.zh, moutai.brief.en, ai_generated=True))
    label = ai_content_label("zh")
    jobs = _jobs(ai)
    assert all(label in scene_texts(job) for job in jobs)  # the header of every scene carries it
    assert jobs[0].scene.cues[0].startswith(label) and label in "".join(jobs[-1].scene.cues)
    assert all(label not in scene_texts(job) for job in _jobs(moutai))  # template text is not AI content
    if not HAVE_TOOLS:
        pytest.skip("ffmpeg/espeak-ng not installed (scripts/system_deps.sh)")
    out = tmp_path / "ai.mp4"
    result = render_video(ai, out, max_scenes=2, fps=2)
    tags = _probe(out)["format"]["tags"]  # type: ignore[index]
    aigc = json.loads(tags["AIGC"])
    assert aigc["Label"] == "1" and aigc["ContentProducer"] == "Tandem" and aigc["ProduceID"].startswith("tandem-")
    assert set(aigc) == {"Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator",
                         "PropagateID", "ReservedCode2"}  # fmt: skip
    assert label in tags["comment"] and result.ai_labelled


def test_phrase_guard_runs_on_every_cue(moutai: Diagnosis) -> None:
    bad = replace(moutai, brief=Brief(moutai.brief.zh + "该股稳赚不赔。", moutai.brief.en))
    with pytest.raises(PhraseGuardError, match=r"video of 600519\.SH"):
        plan_scenes(bad)


def test_missing_dimensions_are_named_with_the_reason(moutai: Diagnosis) -> None:
    health = moutai.dimension("health")
    assert health.score is None and health.missing_reason.render("zh")
    missing = next(s for s in plan_scenes(moutai) if s.kind == "missing")
    spoken = "".join(missing.cues)
    assert "财务健康" in spoken and health.missing_reason.render("zh").rstrip("。").split("，")[0] in spoken
    texts = scene_texts(next(j for j in _jobs(moutai) if j.scene.kind == "missing"))
    assert any(health.missing_reason.render("zh").split("，")[0] in t for t in texts)


def test_stock_without_fundamentals_says_which_dimensions_are_missing(tmp_path: Path, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path / "nofund", fund_until=date(2000, 1, 1))
    diag = DiagnosisService(store).diagnose("600519.SH", date(2023, 9, 1))
    missing = next(s for s in plan_scenes(diag) if s.kind == "missing")
    spoken = "".join(missing.cues)
    for key in ("profitability", "growth", "health"):
        d = diag.dimension(key)
        assert d.label.render("zh") in spoken or any(
            d.label.render("zh") in c for s in plan_scenes(diag) for c in s.cues
        )


def test_no_level2_data_says_the_flow_is_a_proxy(sample_service: DiagnosisService) -> None:
    bank = sample_service.diagnose("600036.SH", DAY)
    assert bank.dimension("capital_flow").is_proxy
    job = next(j for j in _jobs(bank) if j.scene.kind == "capital_flow")
    texts = scene_texts(job)
    assert any("无Level-2逐笔数据" in t for t in texts)


def test_level2_flow_is_drawn_when_present(sample_service: DiagnosisService, sample_store: MarketStore) -> None:
    stocks = set(sample_store.instruments("stock")["code"])
    rows = sample_store.sql("SELECT code, max(date) AS day FROM capital_flow GROUP BY code ORDER BY code")
    diags = [
        sample_service.diagnose(str(r.code), date.fromisoformat(str(r.day)[:10]))
        for r in rows.itertuples()
        if r.code in stocks
    ]
    l2 = next(d for d in diags if not d.dimension("capital_flow").is_proxy)
    inputs = video_inputs(sample_store, l2)
    assert inputs.flow is not None and len(inputs.flow) >= 1
    job = replace(next(j for j in _jobs(l2) if j.scene.kind == "capital_flow"), flow=inputs.flow)
    texts = scene_texts(job)
    assert any("Level-2逐笔" in t for t in texts) and not any("无Level-2" in t for t in texts)


def test_suspended_stock_says_so_on_the_title_card_and_why_trend_is_missing(service: DiagnosisService) -> None:
    diag = service.diagnose("601127.SH", date(2020, 3, 12))
    jobs = _jobs(diag)
    assert "当日停牌" in scene_texts(jobs[0])
    spoken = "".join(c for j in jobs for c in j.scene.cues)
    assert "技术趋势未评分：当日停牌" in spoken and "资金流向未评分：当日停牌" in spoken


def test_missing_ffmpeg_or_espeak_names_the_package_and_writes_nothing(moutai: Diagnosis, tmp_path: Path) -> None:
    out = tmp_path / "v.mp4"
    cases = (
        (VideoTools(ffmpeg="/nonexistent/ffmpeg"), "apt-get install -y ffmpeg"),
        (VideoTools(ffmpeg=sys.executable, espeak="/nonexistent/espeak-ng"), "apt-get install -y espeak-ng"),
    )
    for tools, package in cases:
        with pytest.raises(ToolMissingError, match=package.replace("-", r"\-")):
            render_video(moutai, out, tools=tools)
    assert list(tmp_path.iterdir()) == []


def test_bad_output_path_is_refused_before_any_work(moutai: Diagnosis, tmp_path: Path) -> None:
    from tandem.core.errors import UserError

    with pytest.raises(UserError, match=r"must end in \.mp4"):
        render_video(moutai, tmp_path / "v.avi")
    with pytest.raises(UserError, match="does not exist"):
        render_video(moutai, tmp_path / "nope" / "v.mp4")


@pytest.mark.slow
@needs_tools
def test_full_video_fits_three_minutes_and_eight_megabytes(
    moutai: Diagnosis, sample_store: MarketStore, tmp_path: Path
) -> None:
    out = tmp_path / "full.mp4"
    result = render_video(moutai, out, inputs=video_inputs(sample_store, moutai))
    assert 60 < result.duration_s <= 180 and result.size_bytes < 8 * 1024 * 1024
    texts = cue_texts(result.vtt_path.read_text(encoding="utf-8"))
    assert untraced(texts, moutai) == [] and len(texts) == len(result.cues)
    assert float(_probe(out)["format"]["duration"]) <= 180  # type: ignore[index]


def test_kline_moving_averages_end_at_the_evidence(moutai: Diagnosis, sample_store: MarketStore) -> None:
    bars = video_inputs(sample_store, moutai).bars
    traded = bars[bars["volume"] > 0]
    assert traded["date"].iloc[-1].date() == moutai.data_date
    for period in (20, 60):
        ev = next(e for e in moutai.dimension("technical").evidence if e.key == f"ma{period}")
        assert traded["close"].rolling(period).mean().iloc[-1] == pytest.approx(float(ev.value), rel=1e-9)
