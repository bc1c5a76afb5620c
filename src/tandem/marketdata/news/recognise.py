"""Find the stocks and industries a news item names, tuned for precision over recall.

The dictionary is the store's own instrument list: every stock name becomes a jieba word, so a name is matched
only as a whole token ("比亚迪" in "车企比亚迪与吉利"), never inside a longer word. Because a wrong tag is worse
than a missing one (a stock page would show news that is not about it), three rules keep matches honest:

* **Codes count only in a code's clothes**: a six-digit number that is a stored stock's code counts when it is
  written like one — in brackets ("掌阅科技（603533）"), with an exchange ("000858.SZ", "SH600519"), after
  "代码", or straight after the stock's own name. A bare 600000 in "600000辆" is a number, not 浦发银行.
* **Names that are ordinary words need their code too.** Some listed companies are called by common words:
  机器人 (300024), 连云港 (601008), 太阳能, 农产品, 老百姓, 五粮液. A name found in jieba's general dictionary
  with a frequency of at least :data:`COMMON_FREQ` and not tagged as an organisation (``nt``), or shorter than
  three characters, is *weak*: it tags an item only when the same item also gives the stock's code, or East
  Money's own stock list for the item (``listed``) names it. Other names (贵州茅台, 天合光能, 比亚迪) tag on
  their own. Names two stocks share tag nothing (their codes still do).
* **A name must not cut a word of its sentence in two**: the name's ends must fall on word boundaries of jieba's
  plain segmentation (without the stock names), so 国新能源 is not found in "中国新能源汽车". Short names are never
  guessed: "茅台" does not tag 贵州茅台; only the full name the store has does.

Known limit: a company named by a plain phrase (海量数据, "massive data") tags an item that uses the phrase; the
store holds no signal that tells the two apart.

Industries (the store's East Money industry names, e.g. 白酒Ⅱ; boards and concepts are not in the store yet) are
tagged two ways: every stock the item names brings its industry (``via`` "stock"), and an industry named in the text
counts (``via`` "text") when its name, without the level numeral, is a whole token followed by 板块/行业/概念/产业,
or is at least four characters long.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import jieba
import jieba.posseg

COMMON_FREQ = 20
"""jieba dictionary frequency from which a name counts as an everyday word (五粮液 163, 机器人 384; 比亚迪 4)."""
_CONTEXT = frozenset({"板块", "行业", "概念", "概念股", "产业", "产业链"})
_NUMERAL = re.compile(r"[ⅠⅡⅢⅣ]+$")
_SIX = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")
_EXCHANGES = ("SH", "SZ", "BJ")


@dataclass(frozen=True, slots=True)
class Mention:
    """One stock (``key`` = code) or industry (``key`` = the store's industry name) an item names, and how."""

    kind: str
    key: str
    name: str
    via: str


@dataclass(frozen=True, slots=True)
class _Stock:
    code: str
    name: str | None
    industry: str | None


class Recogniser:
    """Built once from the store's stocks (code, name, industry); :meth:`mentions` is then cheap per item."""

    def __init__(self, stocks: Iterable[tuple[str, str | None, str | None]]) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._by_code: dict[str, _Stock] = {}
        by_num: dict[str, list[_Stock]] = {}
        by_name: dict[str, list[_Stock]] = {}
        for code, name, industry in stocks:
            s = _Stock(code, name.strip() if name else None, industry or None)
            self._by_code[code] = s
            by_num.setdefault(code[:6], []).append(s)
            if s.name:
                by_name.setdefault(s.name.lstrip("*"), []).append(s)
        self._by_num = {n: ss[0] for n, ss in by_num.items() if len(ss) == 1}
        self._by_name = {n: ss[0] for n, ss in by_name.items() if len(ss) == 1}
        self._plain = _plain_tokenizer()
        self._tok = jieba.Tokenizer()
        self._tok.FREQ, self._tok.total, self._tok.initialized = dict(self._plain.FREQ), self._plain.total, True
        tags: dict[str, str] = jieba.posseg.dt.word_tag_tab
        base = self._plain.FREQ
        self.weak = frozenset(
            n for n in self._by_name if len(n) < 3 or (base.get(n, 0) >= COMMON_FREQ and tags.get(n) != "nt")
        )
        self._industries = {_NUMERAL.sub("", s.industry): s.industry for s in self._by_code.values() if s.industry}
        for word in (*self._by_name, *self._industries):
            self._tok.add_word(word, freq=max(base.get(word, 0), 100_000))

    def _codes(self, text: str) -> dict[str, _Stock]:
        found: dict[str, _Stock] = {}
        for m in _SIX.finditer(text):
            num, before, after = m.group(1), text[: m.start()].rstrip(), text[m.end() : m.end() + 3].upper()
            suffix = after[1:] if after[:1] == "." and after[1:] in _EXCHANGES else None
            prefix = before[-2:].upper() if before[-2:].upper() in _EXCHANGES else None
            if before.endswith(("sh.", "sz.", "bj.", "SH.", "SZ.", "BJ.")):
                prefix = before[-3:-1].upper()
            ex = suffix or prefix
            stock = self._by_code.get(f"{num}.{ex}") if ex else self._by_num.get(num)
            if stock is None:
                continue
            named = bool(stock.name) and before.endswith(str(stock.name))
            if ex or before.endswith(("（", "(", "代码", "代码：", "代码:")) or named:
                found[stock.code] = stock
        return found

    def mentions(self, title: str, content: str, listed: str | None = None) -> list[Mention]:
        """Stocks first (by code), then industries; each at most once, the strongest evidence named in ``via``."""
        text = f"{title}\n{content}"
        coded = self._codes(text)
        stocks: dict[str, tuple[_Stock, str]] = {c: (s, "code") for c, s in coded.items()}
        for name in (listed or "").split("|"):
            s = self._by_name.get(name.strip().lstrip("*"))
            if s is not None and s.code not in stocks:
                stocks[s.code] = (s, "listed")
        cuts = _boundaries(self._plain.cut(text, HMM=False))
        tokens: list[str] = []
        at = 0
        spans: list[tuple[int, int]] = []
        for tok in self._tok.cut(text, HMM=False):
            if tok.strip():
                tokens.append(tok)
                spans.append((at, at + len(tok)))
            at += len(tok)
        industries: dict[str, str] = {}
        for i, tok in enumerate(tokens):
            s = self._by_name.get(tok)
            whole = spans[i][0] in cuts and spans[i][1] in cuts
            if s is not None and whole and tok not in self.weak and s.code not in stocks:
                stocks[s.code] = (s, "name")
            ind = self._industries.get(tok)
            follows = tokens[i + 1] if i + 1 < len(tokens) else ""
            if ind is not None and (len(tok) >= 4 or follows in _CONTEXT):
                industries[ind] = "text"
        out = [Mention("stock", c, s.name or c, via) for c, (s, via) in sorted(stocks.items())]
        for s, _via in stocks.values():
            if s.industry and s.industry not in industries:
                industries[s.industry] = "stock"
        out += [Mention("industry", ind, _NUMERAL.sub("", ind), via) for ind, via in sorted(industries.items())]
        return out


@functools.cache
def _plain_tokenizer() -> jieba.Tokenizer:
    """The general jieba dictionary, loaded once per process (about a second); recognisers copy it, never change it."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def _boundaries(tokens: Iterable[str]) -> frozenset[int]:
    """Character offsets where the plain jieba segmentation (without the stock names) puts a word boundary."""
    at, cuts = 0, {0}
    for tok in tokens:
        at += len(tok)
        cuts.add(at)
    return frozenset(cuts)
