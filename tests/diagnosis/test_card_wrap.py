"""Share-card line breaking: numbers stay whole and no line starts with closing punctuation."""

from __future__ import annotations

import re

from tandem.diagnosis.render.card import wrap

TEXT = (
    "【贵州茅台（600519.SH）三分钟速览】总市值约18843.0亿元，在本库4家同业中排第1位。最新报告期（2023-03-31）"
    "净利润同比+19.9%，年化净资产收益率40.0%。股价在60日支撑/压力区间1400.01-1657.99中的位置变化。"
)


def test_numbers_are_never_split_and_punctuation_never_leads() -> None:
    for width in (20, 33, 47, 60):
        lines = wrap(TEXT, width)
        assert "".join(lines) == TEXT
        for line in lines:
            assert line[0] not in "，。、；：）%", (width, line)
        tokens = re.findall(r"[0-9A-Za-z.+\-%/]+", TEXT)
        assert all(any(t in line for line in lines) for t in tokens), width


def test_a_piece_longer_than_a_line_is_cut_by_columns() -> None:
    assert wrap("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert wrap("ab cd ef", 5) == ["ab cd", "ef"]
