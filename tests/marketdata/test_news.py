"""News import and recognition on real East Money 快讯 items (tests/marketdata/data/news, see its README).

The importer keys items by article number, corrects the scraper's date stamps, stores UTC instants of Beijing
times, and on any bad file or item imports nothing. Recognition is checked for precision on real items whose words
are also names of listed companies (机器人, 连云港, 国新能源 inside 中国新能源汽车).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from tandem.core.errors import ValidationFailed
from tandem.marketdata.news.importer import import_news
from tandem.marketdata.news.parse import NewsProblem, parse_file
from tandem.marketdata.news.query import latest_news
from tandem.marketdata.news.recognise import Recogniser
from tandem.marketdata.store import MarketStore
from tandem.marketdata.versioned import VersionedStore

NEWS = Path(__file__).parent / "data" / "news"
FLASH = NEWS / "eastmoney_newsflash_2026_02"


def _stocks() -> list[tuple[str, str, str]]:
    """(code, name, industry) of the real CSRC-classified rows in the cut."""
    with (NEWS / "stock_industry_cut.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        (f"{r['code'][3:]}.{r['code'][:2].upper()}", r["code_name"], re.sub(r"^[A-Z]\d+", "", r["industry"]))
        for r in rows
    ]


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser(_stocks())


def _seeded(tmp_path: Path) -> Path:
    root = tmp_path / "market"
    frame = pl.DataFrame(
        {k: [s[i] for s in _stocks()] for i, k in enumerate(("code", "name", "industry"))}
    ).with_columns(pl.lit("stock").alias("kind"), pl.lit("csrc:stock_industry_cut.csv").alias("source"))
    with VersionedStore(root).transaction() as tx:
        tx.upsert("instruments", frame)
    return root


def _items() -> dict[str, dict[str, object]]:
    """Every item of the fixture by East Money article number (first copy)."""
    out: dict[str, dict[str, object]] = {}
    for f in sorted(FLASH.glob("*.json")):
        for it in json.loads(f.read_text(encoding="utf-8")):
            num = re.search(r"20\d{16}", str(it["url"]) or str(it["id"]))
            assert num is not None
            out.setdefault(num.group(0), it)
    return out


# ---------------------------------------------------------------- import


def test_import_dedups_by_article_number_and_is_idempotent(tmp_path: Path) -> None:
    root = _seeded(tmp_path)
    first = import_news(root, [FLASH])
    assert first.items_read == 20 and first.changed
    assert first.articles == len(_items()) == 18  # 香港金管局 and 德国 are in both flash files (wrongly dated in one)
    news = VersionedStore(root).read("news")
    assert news.height == 18 and news["id"].n_unique() == 18
    version = first.version
    again = import_news(root, [FLASH])
    assert not again.changed and again.version == version
    one_file = import_news(root, [FLASH / "eastmoney_news_2026-02-17.json"])  # a subset re-imported: no change
    assert not one_file.changed


def test_scrape_date_is_corrected_and_times_are_beijing(tmp_path: Path) -> None:
    root = _seeded(tmp_path)
    import_news(root, [FLASH])
    store = MarketStore.open(root)
    by_id = {i.id: i for i in latest_news(store, limit=100).items}
    # stamped "2026-02-17 23:53" by a scrape at 2026-02-17 00:02: published the evening before
    late = by_id["202602163651215527"]
    assert late.published_at.isoformat() == "2026-02-16T23:53:00+08:00"
    # numbered on the 16th, published after midnight (the scrape at 03:15 lists it between 01:22 and 00:52)
    assert by_id["202602163651215322"].published_at.isoformat() == "2026-02-17T01:12:00+08:00"
    # 上市公司快讯 stamped 2026-02-16 although two days older: the newest-first walk steps back twice
    assert by_id["202602143651026754"].published_at.isoformat() == "2026-02-14T20:22:00+08:00"
    raw = VersionedStore(root).read("news").filter(pl.col("id") == "202602163651215527")
    assert raw["published_at"][0] == datetime(2026, 2, 16, 15, 53)  # stored as the UTC instant
    # source and link are kept; the link survives the linkless 上市公司快讯 copy of the same article
    hk = by_id["202602163651203438"]
    assert hk.publisher == "东方财富快讯" and hk.url == "https://finance.eastmoney.com/a/202602163651203438.html"
    assert by_id["202602163651194821"].url is None  # 掌阅科技: only in the 上市公司快讯 file, which has no link


def test_importing_again_after_the_instruments_changed_retags_every_item(tmp_path: Path) -> None:
    root = _seeded(tmp_path)
    import_news(root, [FLASH])
    store = MarketStore.open(root)
    assert latest_news(store, code="601127.SH").total == 1  # 赛力斯 by name
    with VersionedStore(root).transaction() as tx:  # its name before the 2022 rename: the 2026 item no longer fits
        tx.upsert("instruments", pl.DataFrame({"code": ["601127.SH"], "name": ["小康股份"]}))
    assert import_news(root, [FLASH]).changed
    assert latest_news(store, code="601127.SH").total == 0
    assert latest_news(store, code="603533.SH").total == 1  # tags by code are untouched


def _broken_copy(tmp_path: Path, edit: str) -> Path:
    folder = tmp_path / "eastmoney_newsflash_2026_02"
    shutil.copytree(FLASH, folder)
    path = folder / "eastmoney_news_2026-02-17.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    if edit == "json":
        path.write_text(path.read_text(encoding="utf-8").replace('"title":', '"title"', 1), encoding="utf-8")
    elif edit == "missing":
        del items[2]["publish_time"]
        path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("json", r"^eastmoney_news_2026-02-17\.json:\d+: json: Expecting ':' delimiter \(column \d+\)$"),
        ("missing", r"^eastmoney_news_2026-02-17\.json:item 3: publish_time: missing$"),
    ],
)
def test_bad_file_imports_nothing(tmp_path: Path, edit: str, expected: str) -> None:
    root = _seeded(tmp_path)
    import_news(root, [FLASH / "eastmoney_news_2026-02-16.json"])
    before = VersionedStore(root).current_version()
    with pytest.raises(ValidationFailed) as exc:
        import_news(root, [_broken_copy(tmp_path, edit)])
    assert "nothing was imported" in str(exc.value)
    assert len(exc.value.problems) == 1 and re.match(expected, exc.value.problems[0]), exc.value.problems
    assert VersionedStore(root).current_version() == before
    assert VersionedStore(root).read("news").height == 3  # the good files of the failed import did not land


def test_an_item_whose_day_contradicts_its_article_number_is_a_problem(tmp_path: Path) -> None:
    items = json.loads((FLASH / "eastmoney_news_2026-02-16.json").read_text(encoding="utf-8"))
    items[0]["created_at"] = "2026-02-19T20:00:58.763153+08:00"  # a scrape three days after the article's number
    path = tmp_path / "x.json"
    path.write_text(json.dumps(items[:1], ensure_ascii=False), encoding="utf-8")
    problems: list[NewsProblem] = []
    assert parse_file(path, problems) == []
    assert [str(p) for p in problems] == [
        "x.json:item 1: publish_time: 2026-02-19 19:53 does not fit article number 202602163651203438 (2026-02-16)"
    ]


# ---------------------------------------------------------------- recognition


def _tags(recogniser: Recogniser, number: str) -> dict[str, str]:
    it = _items()[number]
    stocks = it.get("stocks")
    listed = "|".join(str(s["name"]).split()[0] for s in stocks) if isinstance(stocks, list) else None
    found = recogniser.mentions(str(it["title"]), str(it["content"]), listed)
    return {m.key: m.via for m in found if m.kind == "stock"}


def test_codes_and_full_names_tag_their_stocks(recogniser: Recogniser) -> None:
    assert _tags(recogniser, "202602163651194821") == {"603533.SH": "code"}  # 掌阅科技（603533）
    assert _tags(recogniser, "202602173651260089") == {"000596.SZ": "code", "000858.SZ": "code"}  # （000858.SZ）
    assert _tags(recogniser, "202602153651081679") == {"600519.SH": "name"}  # 贵州茅台
    assert _tags(recogniser, "202602143651026754") == {"002594.SZ": "name"}  # 车企比亚迪与吉利
    assert _tags(recogniser, "202602163651212345") == {"601127.SH": "name"}  # 赛力斯, not 国新能源 in 中国新能源汽车


def test_common_word_names_do_not_tag_real_items(recogniser: Recogniser) -> None:
    assert {"机器人", "连云港"} <= recogniser.weak
    robot_items = [n for n, it in _items().items() if "机器人" in str(it["title"]) + str(it["content"])]
    assert len(robot_items) >= 4
    for number in robot_items:
        assert "300024.SZ" not in _tags(recogniser, number), number
    assert _tags(recogniser, "202602163651192890") == {}  # 江苏连云港烟花爆竹爆炸事故: the city, not 601008
    assert "600617.SH" not in _tags(recogniser, "202602163651212345")
    # a bare six-digit number is not a code; the same code in brackets is
    assert recogniser.mentions("销量达300024辆", "") == []
    assert [m.key for m in recogniser.mentions("机器人（300024）公告", "") if m.kind == "stock"] == ["300024.SZ"]


def test_industries_come_from_named_stocks_and_from_the_text(recogniser: Recogniser) -> None:
    it = _items()["202602173651260089"]
    inds = {m.key: m.via for m in recogniser.mentions(str(it["title"]), str(it["content"])) if m.kind == "industry"}
    assert inds == {"酒、饮料和精制茶制造业": "stock"}
    text = recogniser.mentions("汽车制造业板块走强", "")
    assert [(m.kind, m.key, m.via) for m in text] == [("industry", "汽车制造业", "text")]


def test_query_by_code_pages_and_filters(tmp_path: Path) -> None:
    root = _seeded(tmp_path)
    import_news(root, [FLASH])
    store = MarketStore.open(root)
    all_items = latest_news(store, limit=100)
    assert all_items.total == 18
    stamps = [i.published_at for i in all_items.items]
    assert stamps == sorted(stamps, reverse=True)
    page2 = latest_news(store, offset=5, limit=5)
    assert [i.id for i in page2.items] == [i.id for i in all_items.items[5:10]] and page2.total == 18
    moutai = latest_news(store, code="600519.SH")
    assert moutai.total == 1 and moutai.items[0].stocks[0].name == "贵州茅台"
    assert latest_news(store, code="000001.SZ").total == 0  # 平安银行: in the store, named by no item
