"""The WeCom splitter: every part within the byte limit, numbered, the text rebuilt exactly, numbers and the
disclaimer never cut (hypothesis properties), and unsplittable text refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.advisor.wecom.split import APP_TEXT_LIMIT, SplitError, join_parts, split_message
from tandem.compliance.disclaimers import risk_disclaimer

DISCLAIMER = risk_disclaimer("zh", kind="stock")
NUMBER = re.compile(r"[+-]?\d[\d.,%]*")

words = st.one_of(
    st.text(alphabet="诊断评分资金流向涨停板块市场情绪估值偏高风险abc XYZ，。！", min_size=1, max_size=30),
    st.from_regex(r"[+-]?\d{1,9}(\.\d{1,3})?%?", fullmatch=True),
    st.just(" "),
)
lines = st.lists(words, min_size=0, max_size=150).map("".join)  # some lines far longer than a part
texts = st.lists(lines, min_size=1, max_size=12).map("\n".join).filter(lambda s: s.strip() != "")


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


@settings(max_examples=150, deadline=None)
@given(body=texts, limit=st.integers(min_value=400, max_value=900), with_disclaimer=st.booleans())
def test_parts_fit_rebuild_the_text_and_keep_numbers_and_the_disclaimer_whole(
    body: str, limit: int, with_disclaimer: bool
) -> None:
    text = body + ("\n" + DISCLAIMER if with_disclaimer else "")
    parts = split_message(text, limit=limit, protected=[DISCLAIMER])
    assert all(len(p.encode("utf-8")) <= limit for p in parts)
    assert join_parts(parts) == text
    if len(parts) > 1:
        assert [p.split("\n", 1)[0] for p in parts] == [f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
        bodies = [p.split("\n", 1)[1] for p in parts]
    else:
        bodies = parts
    # a number is never cut: the numbers of the parts, in order, are those of the text
    assert [n for b in bodies for n in numbers(b)] == numbers(text)
    if with_disclaimer:
        assert sum(DISCLAIMER in b for b in bodies) == 1


def test_a_long_line_of_numbers_is_cut_between_numbers_only() -> None:
    text = "涨跌幅 " + " ".join(f"{i * 1.37 - 300:+.2f}%" for i in range(600))
    parts = split_message(text, limit=400)
    assert len(parts) > 5 and all(len(p.encode()) <= 400 for p in parts)
    assert [n for p in parts for n in numbers(p.split("\n", 1)[1])] == numbers(text)


def test_a_short_text_is_one_part_without_a_number() -> None:
    assert split_message("今日评分 72", limit=APP_TEXT_LIMIT) == ["今日评分 72"]


def test_a_long_chinese_text_is_cut_on_utf8_boundaries_at_line_ends() -> None:
    text = "\n".join(f"第{i}行：贵州茅台诊断评分 {60 + i % 30} 分，资金净流入 {i * 1.5:.1f} 亿元。" for i in range(200))
    parts = split_message(text, limit=APP_TEXT_LIMIT)
    assert len(parts) > 3
    assert all(len(p.encode()) <= APP_TEXT_LIMIT for p in parts)
    assert all(p.endswith("\n") for p in parts[:-1])  # cut at line ends when lines fit
    assert join_parts(parts) == text


def test_text_that_cannot_be_split_within_the_limit_is_refused() -> None:
    with pytest.raises(SplitError, match="protected passage"):
        split_message("开头\n" + DISCLAIMER * 2, limit=300, protected=[DISCLAIMER * 2])
    with pytest.raises(SplitError, match="outside a number"):
        split_message("1" * 500, limit=100)
    with pytest.raises(SplitError, match="empty"):
        split_message("", limit=100)
