from __future__ import annotations

from datetime import date

import pytest

from tandem.compliance.disclaimers import ai_content_label, data_date_line, footer, risk_disclaimer
from tandem.compliance.phrase_guard import PhraseGuardError, ensure_no_forbidden_phrases, find_forbidden_phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本基金保证收益，稳赚不赔", ["保证收益", "稳赚不赔"]),
        ("保本保收益、零风险，一年翻倍", ["保本保收益", "零风险", "翻倍"]),
        ("这只股票必涨", ["必涨"]),
        ("A guaranteed return, totally risk-free!", ["guaranteed return", "risk-free"]),
        ("基金不保证收益；夏普比率按无风险利率计算", []),
        ("Returns are not guaranteed; Sharpe uses the risk-free rate.", []),
        ("组合年化波动 8%，最大回撤 12%。", []),
    ],
)
def test_phrase_guard(text: str, expected: list[str]) -> None:
    assert find_forbidden_phrases(text) == expected


def test_guard_raises_with_phrases() -> None:
    with pytest.raises(PhraseGuardError, match="plan explanation") as info:
        ensure_no_forbidden_phrases("稳赚", where="plan explanation")
    assert info.value.phrases == ["稳赚"]


def test_own_texts_pass_the_guard() -> None:
    for lang in ("zh", "en"):
        assert find_forbidden_phrases(risk_disclaimer(lang)) == []
        assert find_forbidden_phrases(footer(as_of=date(2020, 12, 31), lang=lang, ai_generated=True)) == []


def test_labels_and_date_line() -> None:
    assert ai_content_label("zh") == "本内容由人工智能生成"
    assert data_date_line(date(2020, 12, 31)) == "数据截至 2020-12-31"
    assert "2017-01-03 to 2020-12-31" in data_date_line(date(2020, 12, 31), "en", start=date(2017, 1, 3))
    assert footer(as_of=date(2020, 12, 31), ai_generated=True).endswith("本内容由人工智能生成")
    assert "人工智能" not in footer(as_of=date(2020, 12, 31))
