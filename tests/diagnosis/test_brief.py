"""The three-minute brief: length, evidence-bound numbers, phrase guard, and the guarded LLM rewriter."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from tandem.compliance.disclaimers import ai_content_label
from tandem.compliance.phrase_guard import PhraseGuardError, ensure_no_forbidden_phrases
from tandem.diagnosis.llm import BriefRewriter, LLMConfig
from tandem.diagnosis.numbers import number_tokens, untraceable
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

CODES = ["600519.SH", "600036.SH", "300750.SZ", "688981.SH", "000625.SZ"]


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("day", [date(2023, 9, 1), date(2025, 4, 7)])
def test_every_number_in_the_brief_is_in_the_evidence(service: DiagnosisService, code: str, day: date) -> None:
    diag = service.diagnose(code, day)
    assert 300 <= len(diag.brief.zh) <= 600, len(diag.brief.zh)
    assert len(number_tokens(diag.brief.zh)) >= 10
    assert untraceable(diag.brief.zh, diag) == []
    assert untraceable(diag.brief.en, diag) == []
    displays = {e.display for e in diag.evidence}
    pe = next(e for e in diag.evidence if e.key == "pe")
    assert pe.display in diag.brief.zh and pe.display in displays


def test_traceability_check_catches_an_invented_number(service: DiagnosisService) -> None:
    diag = service.diagnose("600519.SH", date(2023, 9, 1))
    assert untraceable(diag.brief.zh + "目标价2999.99元", diag) == ["2999.99"]


def test_brief_is_deterministic(diag_store: MarketStore) -> None:
    a = DiagnosisService(diag_store).diagnose("600036.SH", date(2023, 9, 1)).brief
    b = DiagnosisService(diag_store).diagnose("600036.SH", date(2023, 9, 1)).brief
    assert a == b and not a.ai_generated


def test_phrase_guard_rejects_promises_and_passes_the_brief(service: DiagnosisService) -> None:
    diag = service.diagnose("600519.SH", date(2023, 9, 1))
    ensure_no_forbidden_phrases(diag.brief.zh, where="test")
    ensure_no_forbidden_phrases(diag.brief.en, where="test")
    for bad in ("买入后稳赚不赔", "该股必涨", "保证收益"):
        with pytest.raises(PhraseGuardError):
            ensure_no_forbidden_phrases(diag.brief.zh + bad, where="test")
    assert "数据截至 2023-09-01" in diag.disclaimer.render("zh")
    assert ai_content_label("zh") not in diag.disclaimer.render("zh")


def _service(store: MarketStore, reply: str | None) -> tuple[DiagnosisService, list[dict[str, object]]]:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        if reply is None:
            return httpx.Response(503, json={"error": "overloaded"})
        return httpx.Response(200, json={"choices": [{"message": {"role": "assistant", "content": reply}}]})

    rewriter = BriefRewriter(
        LLMConfig(base_url="http://llm.test/v1", api_key="k", model="m"), transport=httpx.MockTransport(handler)
    )
    return DiagnosisService(store, rewriter=rewriter), seen


def _reference(store: MarketStore) -> str:
    return DiagnosisService(store).diagnose("600519.SH", date(2023, 9, 1)).brief.zh


def test_llm_rewrite_is_accepted_when_numbers_survive(diag_store: MarketStore) -> None:
    ref = _reference(diag_store)
    rewritten = ref.replace("三分钟速览", "三分钟看懂").replace("值得关注", "接下来可以留意")
    service, seen = _service(diag_store, rewritten)
    diag = service.diagnose("600519.SH", date(2023, 9, 1))
    assert seen and seen[0]["model"] == "m"
    assert diag.brief.ai_generated and diag.brief.zh == rewritten
    assert ai_content_label("zh") in diag.disclaimer.render("zh") and ai_content_label("en") in diag.disclaimer.render(
        "en"
    )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("%", "个百分点", 1),  # a number lost its unit
        lambda t: t + "预计明年利润增长35.0%。",  # an invented number
        lambda t: t.replace("值得关注", "该股稳赚，值得关注"),  # a promise of returns
        lambda t: t[:200],  # too short
    ],
)
def test_llm_rewrite_falls_back_when_unsafe(diag_store: MarketStore, mutate) -> None:  # type: ignore[no-untyped-def]
    ref = _reference(diag_store)
    service, _ = _service(diag_store, mutate(ref))
    diag = service.diagnose("600519.SH", date(2023, 9, 1))
    assert diag.brief.zh == ref and not diag.brief.ai_generated
    assert ai_content_label("zh") not in diag.disclaimer.render("zh")


def test_llm_network_error_falls_back(diag_store: MarketStore) -> None:
    service, seen = _service(diag_store, None)
    diag = service.diagnose("600519.SH", date(2023, 9, 1))
    assert seen and diag.brief.zh == _reference(diag_store) and not diag.brief.ai_generated
