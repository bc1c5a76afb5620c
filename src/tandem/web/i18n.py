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
    "wealth.intro": (
        "先用两分钟完成风险承受能力测评，我们只会为您匹配与风险等级相符的基金组合。",
        "Take the two-minute risk questionnaire first; we only match you with portfolios that fit your level.",
    ),
    "wealth.q.title": ("风险承受能力测评", "Risk tolerance questionnaire"),
    "wealth.q.submit": ("提交测评", "Submit"),
    "wealth.q.missing": ("以下题目还未作答：", "Please answer these questions:"),
    "wealth.q.validity": ("测评结果有效期", "Results are valid for"),
    "wealth.q.days": ("天", "days"),
    "wealth.q.cancel": ("取消", "Cancel"),
    "wealth.level.title": ("我的风险等级", "My risk level"),
    "wealth.level.valid_until": ("有效期至", "Valid until"),
    "wealth.level.days_left": ("剩余天数", "Days left"),
    "wealth.level.expired": (
        "测评已过期，请重新测评后再查看策略。",
        "Your assessment expired; retake it to see strategies.",
    ),
    "wealth.level.retake": ("重新测评", "Retake"),
    "wealth.level.lowest": ("最低风险类别", "Lowest category"),
    "wealth.level.done": ("测评已保存", "Assessment saved"),
    "wealth.str.title": ("为您匹配的策略", "Strategies matching your level"),
    "wealth.str.help": (
        "仅展示与您风险等级相匹配的策略。业绩为真实基金净值的滚动回测（含申购赎回费用），不代表未来表现。",
        "Only strategies that match your level. Figures are walk-forward backtests on real fund NAVs, costs "
        "included; past results do not predict the future.",
    ),
    "wealth.str.annual": ("年化收益", "Annual return"),
    "wealth.str.vol": ("年化波动", "Volatility"),
    "wealth.str.mdd": ("最大回撤", "Max drawdown"),
    "wealth.str.window": ("回测区间", "Backtest window"),
    "wealth.str.rebalances": ("次调仓", "rebalances"),
    "wealth.str.use": ("用此策略", "Use this"),
    "wealth.str.none": ("暂无与您风险等级匹配的策略。", "No strategy matches your level."),
    "wealth.plan.title": ("生成投资方案", "Build a plan"),
    "wealth.plan.amount": ("投资金额（元）", "Amount (CNY)"),
    "wealth.plan.strategy": ("策略", "Strategy"),
    "wealth.plan.auto": ("自动匹配", "Auto (my level)"),
    "wealth.plan.horizon": ("投资期限", "Horizon"),
    "wealth.plan.years": ("年", "years"),
    "wealth.plan.submit": ("生成方案", "Build plan"),
    "wealth.plan.holdings": ("基金配置", "Funds"),
    "wealth.plan.fund": ("基金", "Fund"),
    "wealth.plan.weight": ("占比", "Weight"),
    "wealth.plan.amount_col": ("金额（元）", "Amount (CNY)"),
    "wealth.plan.invested": ("拟投入", "To invest"),
    "wealth.plan.cash": ("未投资现金", "Uninvested cash"),
    "wealth.plan.cash.help": ("按各基金起购金额取整后的剩余", "Left over after rounding to each fund's purchase step"),
    "wealth.plan.expected": ("组合历史表现（非预测）", "Historical figures (not a forecast)"),
    "wealth.plan.why": ("方案说明", "Why this plan"),
    "wealth.plan.accept": ("确认方案并模拟申购", "Accept (simulated subscription)"),
    "wealth.plan.accepted": ("方案已确认，模拟持仓已记录", "Plan accepted; simulated holdings recorded"),
    "wealth.plan.rebalance": ("调仓建议", "Rebalancing"),
    "wealth.plan.buy": ("买入", "Buy"),
    "wealth.plan.sell": ("卖出", "Sell"),
    "wealth.plan.error": ("暂时无法生成方案", "The plan could not be built"),
    "wealth.plan.use_need": ("按此金额生成", "Use this amount"),
    "wealth.plan.status.proposed": ("待确认", "Proposed"),
    "wealth.plan.status.accepted": ("已确认", "Accepted"),
    "wealth.plan.status.superseded": ("已失效", "Superseded"),
    "wealth.hold.title": ("模拟持仓", "Simulated holdings"),
    "wealth.hold.empty": (
        "还没有持仓。确认一个方案后，这里会显示模拟申购的基金与金额。",
        "No holdings yet. Accept a plan to see the simulated positions here.",
    ),
    "wealth.hold.total": ("持仓市值（元）", "Total value (CNY)"),
    "wealth.hold.cost": ("投入（元）", "Cost (CNY)"),
    "wealth.hold.units": ("份额", "Units"),
    "wealth.hold.above": ("高于当前风险等级", "Above your level"),
    "wealth.need_level": (
        "完成风险测评后，即可查看与您匹配的策略及其历史业绩。",
        "Complete the questionnaire to see the strategies that match you and their history.",
    ),
    "wealth.sim": ("模拟", "Simulated"),
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
