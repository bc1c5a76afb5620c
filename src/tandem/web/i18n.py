"""A small zh-CN / English dictionary for the app's own words (market data and names stay as the store has them).

The language comes from ``?lang=`` (which also sets a cookie) or the ``lang`` cookie; zh-CN is the default because
the app's users are mainland retail investors. Missing keys fall back to the key itself so a gap is visible, not
silent.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

_WORDS: Final[dict[str, tuple[str, str]]] = {
    "app.name": ("Tandem 同行", "Tandem"),
    "app.tagline": ("看得懂的投资助手", "An investing companion you can understand"),
    "tab.market": ("行情诊股", "Market"),
    "tab.quant": ("量化", "Quant"),
    "tab.wealth": ("财富", "Wealth"),
    "tab.news": ("资讯", "Feed"),
    "nav.account": ("我的", "Me"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出登录", "Log out"),
    "nav.signup": ("注册", "Sign up"),
    "lang.switch": ("English", "中文"),
    "search.placeholder": ("输入代码、名称或拼音首字母，如 600519 / 贵州茅台 / gzmt", "Code, name or pinyin initials"),
    "search.none": ("没有找到匹配的股票", "No matching stock"),
    "search.hint": ("搜索一只股票查看行情与K线", "Search a stock to see its quote and K-line"),
    "quote.close": ("最新价", "Last"),
    "quote.change": ("涨跌", "Change"),
    "quote.open": ("今开", "Open"),
    "quote.high": ("最高", "High"),
    "quote.low": ("最低", "Low"),
    "quote.preclose": ("昨收", "Prev close"),
    "quote.volume": ("成交量", "Volume"),
    "quote.amount": ("成交额", "Turnover"),
    "quote.turnover": ("换手率", "Turnover rate"),
    "quote.pe": ("市盈率TTM", "P/E TTM"),
    "quote.pb": ("市净率", "P/B"),
    "quote.high52": ("52周最高", "52-wk high"),
    "quote.low52": ("52周最低", "52-wk low"),
    "quote.asof": ("数据日期", "Data date"),
    "quote.suspended": ("停牌", "Suspended"),
    "quote.st": ("ST", "ST"),
    "quote.lots": ("手", "lots"),
    "quote.yi": ("亿", "×100M"),
    "kline.title": ("日K线（前复权）", "Daily K-line (forward-adjusted)"),
    "kline.volume": ("成交量", "Volume"),
    "kline.candle": ("日K", "Daily"),
    "watch.add": ("加自选", "Add to watchlist"),
    "watch.remove": ("删自选", "Remove"),
    "watch.title": ("我的自选", "My watchlist"),
    "watch.empty": ("还没有自选股，搜索后点“加自选”", "No stocks yet; search and tap Add"),
    "diag.title": ("个股诊断", "Diagnosis"),
    "diag.brief": ("个股三分钟", "Three-minute brief"),
    "diag.pending": ("诊断服务尚未上线，上线后此处显示雷达图与三分钟解读。", "Diagnosis is not available yet."),
    "diag.composite": ("综合评分", "Composite"),
    "diag.rank": ("全市场排名", "Market rank"),
    "quant.title": ("量化工具", "Quant tools"),
    "quant.pending": ("回测服务尚未上线。", "The backtest service is not available yet."),
    "wealth.title": ("财富规划", "Wealth planning"),
    "wealth.pending": ("财富服务尚未上线。", "The wealth service is not available yet."),
    "news.title": ("我的资讯", "My feed"),
    "news.nonpersonal": ("不使用个性化推荐", "Non-personalised feed"),
    "news.nonpersonal.help": (
        "开启后资讯只按时间排列，不使用你的浏览与持仓数据。",
        "When on, the feed is plain chronological and never uses your activity or holdings.",
    ),
    "news.empty": ("暂时没有资讯。加自选后，这里会显示自选股的诊断变化。", "Nothing yet. Watch stocks to see updates."),
    "login.title": ("登录", "Log in"),
    "login.username": ("手机号或邮箱", "Phone or e-mail"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("账号或密码错误", "Wrong account or password"),
    "login.noaccount": ("还没有账号？注册", "No account? Sign up"),
    "signup.title": ("注册", "Sign up"),
    "signup.name": ("称呼", "Display name"),
    "signup.submit": ("注册并登录", "Sign up"),
    "signup.hasaccount": ("已有账号？登录", "Have an account? Log in"),
    "signup.password.help": ("至少10位，包含字母和数字", "At least 10 characters with letters and digits"),
    "account.title": ("我的账户", "My account"),
    "account.role": ("角色", "Role"),
    "account.phone": ("手机号", "Phone"),
    "account.idno": ("证件号", "ID number"),
    "account.change_pw": ("修改密码", "Change password"),
    "account.old_pw": ("当前密码", "Current password"),
    "account.new_pw": ("新密码", "New password"),
    "account.saved": ("已保存", "Saved"),
    "role.investor": ("投资者", "Investor"),
    "role.advisor": ("投资顾问", "Advisor"),
    "role.operations": ("运营", "Operations"),
    "role.compliance": ("合规", "Compliance"),
    "role.admin": ("管理员", "Administrator"),
    "common.save": ("保存", "Save"),
    "common.error": ("出错了", "Something went wrong"),
    "common.disclaimer": (
        "数据来自公开历史行情，仅供参考，不构成投资建议。市场有风险，投资需谨慎。",
        "Public historical data for reference only; not investment advice. Investing involves risk.",
    ),
    "vendor.missing": (
        "图表脚本未安装：请运行 make（或 scripts/vendor_js.sh）后重启。",
        "Chart scripts are missing: run make (or scripts/vendor_js.sh) and restart.",
    ),
}


def pick_lang(query: str | None, cookie: str | None) -> Lang:
    """The request's language: the query wins over the cookie; anything unknown means the default."""
    for value in (query, cookie):
        if value in LANGS:
            return value  # type: ignore[return-value]
    return DEFAULT_LANG


def translate(lang: Lang, key: str) -> str:
    """The word for ``key`` in ``lang`` (the key itself when missing, so gaps show up in review)."""
    pair = _WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def keys() -> frozenset[str]:
    """Every key the dictionary defines (tests check both languages are filled)."""
    return frozenset(_WORDS)
