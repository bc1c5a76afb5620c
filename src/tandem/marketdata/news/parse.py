"""Parse scraped East Money 快讯 JSON files into news rows: validated, deduplicated, dated correctly.

Each file is a JSON array of items ``{id, title, content, publish_time, source, url, created_at[, stocks]}``
(``../shared/data/news/eastmoney_newsflash_2026_02/``). Three things the files get wrong are corrected here:

* **The date of ``publish_time`` is the scrape date, not the publication date.** The page shows only ``HH:MM``; the
  scraper wrote the day it ran in front of it. Proof in the data: in ``eastmoney_news_2026-02-17.json`` an item
  "2026-02-17 23:53" was saved at ``created_at`` 2026-02-17 00:02 (before it could have been published), and its
  article number 20260216… says 16 February; in the 上市公司快讯 file every item says 2026-02-16 although the
  numbers start 20260214/15/16. The correction: a page lists items newest first, so within one scrape (one
  ``created_at``) the day starts at the scrape's date, steps back one day when the first item's time is later than
  the scrape's time, and steps back one more day each time an item's ``HH:MM`` is later than the one above it.
  The result is checked against the article number's date (the day East Money numbered the item): the
  publication day must be that day or the next (an item numbered at 23:50 may go out at 01:12); anything else is
  reported as a problem. On the staged files the walk agrees with the article number for 519 of 520 items; the
  one exception is numbered 2026-02-16 and was published 2026-02-17 01:12.
* **``id`` is not an identity.** The 快讯 files use ``<date>_<HH:MM>_<title prefix>``, which carries the wrong date
  and collides; the same article appears up to four times across scrapes. Items are keyed by East Money's
  article number: the digits of ``url`` (``…/a/202602163651203438.html``) or, in the 上市公司快讯 file (empty
  ``url``), the numeric ``id``. Copies of one article merge into one row (the latest scrape's text; a link from
  any copy is kept).
* **Times are Beijing time without an offset.** They are stored as UTC instants (``publish_time`` − 8 h).

``stocks`` (上市公司快讯 only) lists the names East Money linked, each padded with spaces and followed by that
moment's % change; only the names are kept (``listed``), the stale percentages are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
REQUIRED = ("title", "content", "publish_time", "source", "url", "created_at")
_ARTICLE = re.compile(r"(20\d{6})(\d{10})")
_CLOCK = re.compile(r"(?:\d{4}-\d{2}-\d{2} )?(\d{2}):(\d{2})")
_NAME_END = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class NewsProblem:
    """One finding, addressed to an item of a file (or a line, when the JSON itself is broken)."""

    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.where}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class NewsRow:
    """One article as stored: ``published_at`` and ``fetched_at`` are UTC instants (naive, for Parquet)."""

    id: str
    published_at: datetime
    title: str
    content: str
    publisher: str
    url: str | None
    listed: str | None
    fetched_at: datetime
    source: str


def article_number(item: dict[str, object]) -> str | None:
    """East Money's article number: from the link's digits, else a numeric ``id`` (上市公司快讯 items)."""
    for raw in (item.get("url"), item.get("id")):
        if isinstance(raw, str):
            m = _ARTICLE.search(raw)
            if m is not None:
                return m.group(0)
    return None


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)


class _Walk:
    """The day of each item of one file, read newest first, restarting at every new scrape (``created_at``)."""

    def __init__(self) -> None:
        self._scrape: str | None = None
        self._day = date.min
        self._prev: tuple[int, int] | None = None

    def day_of(self, created: datetime, created_raw: str, clock: tuple[int, int]) -> date:
        """The publication day of the next item (``created`` is the scrape's Beijing time)."""
        if created_raw != self._scrape:
            self._scrape, self._day, self._prev = created_raw, created.date(), None
            if clock > (created.hour, created.minute):
                self._day -= timedelta(days=1)
        elif self._prev is not None and clock > self._prev:
            self._day -= timedelta(days=1)
        self._prev = clock
        return self._day


def _text(item: dict[str, object], key: str, problems: list[NewsProblem], file: str, where: str) -> str | None:
    value = item.get(key)
    if key not in item or value is None:
        problems.append(NewsProblem(file, where, key, "missing"))
        return None
    if not isinstance(value, str):
        problems.append(NewsProblem(file, where, key, f"expected text, got {type(value).__name__}"))
        return None
    return value.strip()


def _listed(item: dict[str, object]) -> str | None:
    stocks = item.get("stocks")
    if not isinstance(stocks, list):
        return None
    names = []
    for s in stocks:
        name = s.get("name") if isinstance(s, dict) else None
        if isinstance(name, str) and name.strip():
            names.append(_NAME_END.split(name.strip(), maxsplit=1)[0])
    return "|".join(names) or None


def _row(item: dict[str, object], walk: _Walk, path: Path, where: str, problems: list[NewsProblem]) -> NewsRow | None:
    file = path.name
    before = len(problems)
    fields = {k: _text(item, k, problems, file, where) for k in REQUIRED}
    if len(problems) > before:
        return None
    title, content, publish, publisher, url, created_raw = (fields[k] or "" for k in REQUIRED)
    number = article_number(item)
    if number is None:
        problems.append(NewsProblem(file, where, "url", "no East Money article number in url or id"))
        return None
    clock_m = _CLOCK.fullmatch(publish)
    try:
        created = datetime.fromisoformat(created_raw).astimezone(BEIJING).replace(tzinfo=None)
    except ValueError:
        problems.append(NewsProblem(file, where, "created_at", f"{created_raw!r} is not an ISO timestamp"))
        return None
    if clock_m is None or int(clock_m.group(1)) > 23 or int(clock_m.group(2)) > 59:
        problems.append(NewsProblem(file, where, "publish_time", f"{publish!r} is not 'YYYY-MM-DD HH:MM'"))
        return None
    for key, value in (("title", title), ("source", publisher)):
        if not value:
            problems.append(NewsProblem(file, where, key, "empty"))
            return None
    if url and not url.startswith(("https://", "http://")):
        problems.append(NewsProblem(file, where, "url", f"{url[:60]!r} is not an http(s) link"))
        return None
    clock = (int(clock_m.group(1)), int(clock_m.group(2)))
    day = walk.day_of(created, created_raw, clock)
    numbered = date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    if not numbered <= day <= numbered + timedelta(days=1):
        problems.append(
            NewsProblem(
                file, where, "publish_time", f"{day} {publish[-5:]} does not fit article number {number} ({numbered})"
            )
        )
        return None
    local = datetime(day.year, day.month, day.day, *clock)
    return NewsRow(
        id=number,
        published_at=_utc(local),
        title=title,
        content=content,
        publisher=publisher,
        url=url or None,
        listed=_listed(item),
        fetched_at=_utc(created.replace(microsecond=0)),
        source=f"eastmoney-newsflash:{file}",
    )


def parse_file(path: Path, problems: list[NewsProblem]) -> list[NewsRow]:
    """Rows of one file in file order; every problem is appended (a broken file yields no rows)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(NewsProblem(path.name, f"byte {exc.start}", "encoding", "not UTF-8"))
        return []
    except json.JSONDecodeError as exc:
        problems.append(NewsProblem(path.name, f"{exc.lineno}", "json", f"{exc.msg} (column {exc.colno})"))
        return []
    if not isinstance(data, list):
        problems.append(NewsProblem(path.name, "1", "json", "expected a JSON array of news items"))
        return []
    rows: list[NewsRow] = []
    walk = _Walk()
    for n, item in enumerate(data, start=1):
        where = f"item {n}"
        if not isinstance(item, dict):
            problems.append(NewsProblem(path.name, where, "item", "expected a JSON object"))
            continue
        row = _row(item, walk, path, where, problems)
        if row is not None:
            rows.append(row)
    return rows


def merge(rows: list[NewsRow]) -> list[NewsRow]:
    """One row per article number: the latest scrape's copy wins, a link from any copy is kept; newest first."""
    best: dict[str, NewsRow] = {}
    for r in sorted(rows, key=lambda r: (r.fetched_at, r.source)):
        old = best.get(r.id)
        if old is not None:
            r = replace(r, url=r.url or old.url, listed=r.listed or old.listed)
        best[r.id] = r
    return sorted(best.values(), key=lambda r: (r.published_at, r.id), reverse=True)
