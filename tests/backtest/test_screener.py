from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy.orm import Session

from tandem.analytics.indicators import sma
from tandem.backtest.screener.evaluate import run_screen
from tandem.backtest.screener.models import SavedScreen, delete_screen, list_screens, save_screen
from tandem.backtest.screener.sources import FrameScreenData
from tandem.backtest.screener.syntax import BinOp, Call, Name, Num, ScreenSyntaxError, parse
from tandem.core.db import Base, make_engine
from tandem.core.errors import ConflictError, NotFoundError


def test_parse_precedence_and_columns():
    node = parse("pe_ttm < 20 and roe > 15% or not close > ma(close, 60)")
    assert isinstance(node, BinOp) and node.op == "or"
    left = node.left
    assert isinstance(left, BinOp) and left.op == "and"
    assert left.right == BinOp(">", Name("roe", 17), Num(0.15, 23), 21)
    call = node.right.operand.right  # type: ignore[union-attr]
    assert call == Call("ma", (Name("close", 45), Num(60.0, 52)), 42)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pe_ttm < ", "expected a number, field or '(' at column 10, found the end of the expression"),
        ("close > ma(close, 60", "expected ',' or ')' to close ma( at column 21"),
        ("close >> 3", "expected a number, field or '(' at column 8"),
        ("close ; 3", "unexpected character ';' at column 7"),
        ("__import__('os')", 'unexpected character "\'" at column 12'),
    ],
)
def test_syntax_errors_point_at_the_column(text, message):
    with pytest.raises(ScreenSyntaxError) as e:
        parse(text)
    assert message in str(e.value)


def test_unknown_field_and_function_suggest(bars, profit):
    src = FrameScreenData(bars, profit)
    with pytest.raises(ScreenSyntaxError, match=r"unknown field 'pe_tm' at column 1; did you mean pe_ttm\?"):
        run_screen("pe_tm < 20", date(2021, 6, 30), src)
    with pytest.raises(ScreenSyntaxError, match=r"unknown function 'mav' at column 9; did you mean ma\?"):
        run_screen("close > mav(close, 5)", date(2021, 6, 30), src)
    with pytest.raises(ScreenSyntaxError, match="window of ma at column 9 must be a whole number"):
        run_screen("close > ma(close, 2.5)", date(2021, 6, 30), src)


def test_screen_is_point_in_time_and_matches_hand_computation(bars, profit):
    src = FrameScreenData(bars, profit)
    day = date(2021, 6, 30)
    res = run_screen("pe_ttm < 60 and roe > 0.02 and close > ma(close, 20)", day, src)
    # recompute by hand from the fixture
    b = bars[bars["date"] <= "2021-06-30"]
    close = b.pivot(index="date", columns="code", values="close")
    pe = b.pivot(index="date", columns="code", values="pe_ttm").iloc[-1]
    susp = b.pivot(index="date", columns="code", values="suspended").iloc[-1]
    ma60 = sma(close.to_numpy(), 20)[-1]
    f = profit[profit["announce_date"] <= "2021-06-30"].sort_values("report_period").groupby("code").tail(1)
    roe = f.set_index("code")["roe_avg"].reindex(close.columns)
    want = sorted(c for i, c in enumerate(close.columns)
                  if not susp[c] and pe[c] < 60 and roe[c] > 0.02 and close[c].iloc[-1] > ma60[i])  # fmt: skip
    assert list(res["code"]) == want and len(want) > 0
    assert set(res.columns) == {"code", "date", "pe_ttm", "roe_avg", "close"}
    # Q1 2021 reports (announced in April) are visible; the H1 report (announced in August) is not
    assert f["report_period"].max() == "2021-03-31"


def test_functions_rank_and_pct_change(bars, profit):
    src = FrameScreenData(bars, profit)
    res = run_screen(
        "rank(pct_change(close, 20)) >= 0.5 and rsi(close) < 100 and std(close, 20) > 0", date(2022, 3, 1), src
    )
    assert 1 <= len(res) <= 8
    assert np.all(res["close"] > 0)


def test_saved_screens_per_user():
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[SavedScreen.__table__])  # type: ignore[list-item]
    with Session(engine) as s:
        row = save_screen(s, owner_user_id=1, name="低估值", expression="pe_ttm < 20")
        save_screen(s, owner_user_id=2, name="低估值", expression="pe_ttm < 15")
        with pytest.raises(ConflictError):
            save_screen(s, owner_user_id=1, name="低估值", expression="pe_ttm < 10")
        with pytest.raises(ScreenSyntaxError):
            save_screen(s, owner_user_id=1, name="bad", expression="pe_ttm <")
        assert [x.expression for x in list_screens(s, owner_user_id=1)] == ["pe_ttm < 20"]
        with pytest.raises(NotFoundError):
            delete_screen(s, owner_user_id=2, screen_id=row.id)
        delete_screen(s, owner_user_id=1, screen_id=row.id)
        assert list_screens(s, owner_user_id=1) == []
