"""The zh-CN / English catalogue of the app's own words (market data and names stay as the store has them).

It sits in ``core`` so every layer can name its user-visible words by key in one catalogue (issue 10 item 5);
today the web templates and pages use it.

The language comes from ``?lang=`` (which also sets a cookie) or the ``lang`` cookie; zh-CN is the default because
the app's users are mainland retail investors. Missing keys fall back to the key itself so a gap is visible, not
silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from tandem.core.i18n_compliance import COMPLIANCE_WORDS
from tandem.core.i18n_diagnosis import DIAGNOSIS_WORDS
from tandem.core.i18n_engagement import ENGAGEMENT_WORDS
from tandem.core.i18n_quant import QUANT_WORDS
from tandem.core.i18n_staff import STAFF_WORDS
from tandem.core.i18n_wealth import WEALTH_WORDS

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

_APP_WORDS: Final[dict[str, tuple[str, str]]] = {
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
    "home.historical": ("历史行情，非实时", "historical data, not live"),
    "home.index_line": ("近120个交易日收盘", "Closes over the last 120 sessions"),
    "home.movers": ("个股涨跌榜", "Top movers"),
    "home.gainers": ("涨幅榜", "Gainers"),
    "home.losers": ("跌幅榜", "Losers"),
    "home.top_scores": ("综合评分榜", "Top composite scores"),
    "home.of": ("参与评分", "Scored"),
    "home.scores_help": (
        "按个股诊断的综合评分排序（估值、盈利、成长、资金等多维度），点击查看诊断详情。",
        "Ranked by the diagnosis composite (valuation, profitability, growth, capital flow …); tap for details.",
    ),
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
    "news.alerts": ("我的提醒", "My alerts"),
    "algo.link": ("推荐算法说明", "How recommendations work"),
    "algo.title": (
        "推荐算法基本原理（《互联网信息服务算法推荐管理规定》第十六条）",
        "How recommendations work (Art. 16 of the algorithmic recommendation rules)",
    ),
    "algo.data": (
        (
            "我们只使用您在本应用内的行为：浏览的页面和股票、搜索、自选变化、阅读个股三分钟的时长、回测"
            "、方案查看与采纳、推送的打开与关闭。不使用通讯录、位置或其他应用的数据。"
        ),
        (
            "We use only what you do in this app: pages and stocks viewed, searches, watchlist changes, time"
            " spent on briefs, backtests, plans viewed or accepted, pushes opened or dismissed. No contacts,"
            " location or data from other apps."
        ),
    ),
    "algo.tags": (
        (
            "这些行为汇总成兴趣标签（行业、板块、风格、产品类型），并按时间衰减。您可以通过接口 /ap"
            "i/v1/me/tags 查看标签、逐个或全部删除；删除后不会再由过去的行为重新计算出来。"
        ),
        (
            "These become interest tags (industries, boards, styles, product types) that fade over time. You"
            " can list them and delete one or all at /api/v1/me/tags; a deleted tag is not recomputed from y"
            "our past activity."
        ),
    ),
    "algo.ranking": (
        (
            "推荐排序由一个从全体客户行为中学习的模型（物品相似度）结合您自己的近期行为得出；每条推荐都"
            "附有“为什么推荐给我”的原因。"
        ),
        (
            "Items are ranked by a model learned from all clients' behaviour (item similarity) combined with"
            " your own recent activity; every item says why it is shown to you."
        ),
    ),
    "algo.suitability": (
        (
            "任何产品或策略推荐都先经过适当性匹配：风险等级高于您的风险承受能力（C1–C5 对应 R1"
            "–R5）或风险测评已过期时不会推荐，每次匹配都记录留痕。推送还受频率上限、免打扰时段和分类"
            "退订约束。"
        ),
        (
            "Every product or strategy first passes the suitability check: nothing above your risk level (C1"
            "–C5 against R1–R5) or after your assessment has expired is shown, and each check is recorded. P"
            "ushes also respect frequency caps, quiet hours and per-category unsubscribes."
        ),
    ),
    "algo.switch": (
        ("您可以随时在资讯页打开“不使用个性化推荐”：此后资讯和推送对所有人使用相同的非个性化排序，不读取您的画像。"),
        (
            "You can switch on the non-personalised feed on the feed page at any time: the feed and pushes t"
            "hen use the same non-personalised order for everyone and read no profile."
        ),
    ),
    "diag.video": ("▶ 看视频版", "▶ Watch the video"),
    "diag.video.subtitles": ("字幕", "Subtitles"),
    "diag.video.wait": ("首次播放需生成视频，约需十几秒。", "The first play renders the video (a few seconds)."),
    "diag.composite": ("综合评分", "Composite"),
    "diag.rank": ("全市场排名", "Market rank"),
    "quant.title": ("量化工具", "Quant tools"),
    "wealth.title": ("财富规划", "Wealth planning"),
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
    "wealth.plan.cash.help": (
        "场内基金按整手（100份）买入、场外基金按分计金额申购后的剩余",
        "Left over after whole lots on the exchange and amounts to the fen off the exchange",
    ),
    "wealth.plan.channel": ("渠道", "Channel"),
    "wealth.plan.units": ("份额", "Units"),
    "wealth.plan.minimum": ("起购金额（元）", "Minimum (CNY)"),
    "wealth.plan.min_source": ("起购依据", "Minimum from"),
    "wealth.channel.exchange": ("场内", "Exchange"),
    "wealth.channel.otc": ("场外", "Off-exchange"),
    "wealth.min_source.exchange_lot": ("场内一手（100份）× 最新收盘价", "One exchange lot (100 units) × last close"),
    "wealth.min_source.fund_master": (
        "基金资料：Tushare fund_basic 起点金额（万元换算为元）",
        "Fund master: Tushare fund_basic min_amount (万元 converted to CNY)",
    ),
    "wealth.min_source.default": (
        "默认值 ¥10（基金资料未载明；为已载明起购金额的中位数）",
        "Default ¥10 (the fund master states none; the median of the minimums it states)",
    ),
    "wealth.min_short.exchange_lot": ("一手", "1 lot"),
    "wealth.min_short.fund_master": ("基金资料", "fund master"),
    "wealth.min_short.default": ("默认值", "default"),
    "wealth.units.note": (
        "场外份额 = 金额 ÷ 最新净值，截取两位小数（未扣申购费）",
        "Off-exchange units = amount ÷ last NAV, truncated to 2 decimals (before subscription fees)",
    ),
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
    "news.flash": ("市场快讯", "Market newsflash"),
    "news.flash.help": (
        "东方财富快讯原文，按发布时间（北京时间）排列；个股按代码或全称识别，点击标题看原文。",
        "East Money newsflash items as published, newest first (Beijing time); stocks are recognised by code or "
        "full name. The title links to the original.",
    ),
    "news.flash.empty": ("暂无快讯。", "No news items yet."),
    "news.flash.older": ("更早的快讯 →", "Older items →"),
    "news.flash.newer": ("← 较新的快讯", "← Newer items"),
    "news.related": ("相关资讯", "Related news"),
    "news.beijing": ("北京时间", "Beijing time"),
    "news.source": ("来源：", "Source: "),
    "news.link": ("原文", "Original"),
    # engagement (issue 12): live pushes, 为你推荐, the tags panel on 我的
    "push.open": ("查看", "Open"),
    "push.dismiss": ("关闭", "Dismiss"),
    "push.badge": ("{n} 条新提醒", "{n} new alerts"),
    "foryou.title": ("为你推荐", "For you"),
    "foryou.why": ("为什么推荐：", "Why this: "),
    "foryou.because_tag": (
        "你常看「{label}」的内容（见「我的」里的兴趣标签）",
        "You often look at {label} (see your tags on Me)",
    ),
    "foryou.seen": ("你近期看过它，它属于「{label}」", "You looked at it recently; it is {label}"),
    "foryou.generic": (
        "所有人看到的相同顺序：按本应用近期整体热度，未使用你的个人信息",
        "The same order for everyone, by the app's overall recent popularity; none of your data is used",
    ),
    "foryou.off": (
        "个性化推荐已关闭：以下是所有人相同的推荐顺序。",
        "Personalisation is off: this is the same order everyone sees.",
    ),
    "foryou.new": (
        "还不了解你的兴趣：先展示所有人相同的顺序，浏览或自选后会按你的兴趣推荐。",
        "We do not know your interests yet: this is everyone's order until you view or watch something.",
    ),
    "foryou.kind.brief": ("个股三分钟", "Brief"),
    "foryou.kind.course": ("学堂", "Learn"),
    "foryou.kind.fund": ("基金", "Fund"),
    "foryou.kind.strategy": ("投顾策略", "Strategy"),
    "learning.title": ("我的学习", "My courses"),
    "learning.progress": ("已学 {done}/{total} 节", "{done} of {total} lessons read"),
    "learning.completed": ("已完成", "completed"),
    "learning.next": ("下一节", "next"),
    "learning.empty": (
        "还没有课程。你的投资顾问为你安排投教课程后，会显示在这里。",
        "No courses yet. Courses your advisor enrols you in show here.",
    ),
    "learning.lesson_n": ("第 {n}/{total} 节", "Lesson {n} of {total}"),
    "learning.version": ("合规审核通过的第 {v} 版", "Compliance-approved version {v}"),
    "learning.link": ("我的学习（投教课程）→", "My courses →"),
    "tags.title": ("我的兴趣标签", "My interest tags"),
    "tags.help": (
        "这些标签由你在本应用里的浏览、自选、阅读等行为推算，用于为你推荐内容。可逐个或全部删除；删除后，删除前的行为不会再生成它。",
        "Inferred from what you view, watch and read in this app, and used to pick what we suggest. Delete any or "
        "all; activity from before a deletion never brings a tag back.",
    ),
    "tags.empty": (
        "还没有兴趣标签。浏览或自选股票后，这里会显示我们推算出的兴趣。",
        "No tags yet. Once you view or watch stocks, what we infer shows here.",
    ),
    "tags.delete": ("删除", "Delete"),
    "tags.delete_all": ("全部删除", "Delete all"),
    "tags.confirm_all": (
        "删除全部兴趣标签？删除前的行为不会再生成它们。",
        "Delete all tags? Past activity will not rebuild them.",
    ),
    "tags.activity": ("活跃度：{level}", "Activity: {level}"),
    "tags.kind.industry": ("行业", "Industry"),
    "tags.kind.board": ("板块", "Board"),
    "tags.kind.style": ("风格", "Style"),
    "tags.kind.product": ("产品类型", "Product"),
    "list.sep": ("、", ", "),
    "tags.why": ("依据：{acts}，如 {names}", "From: {acts}, e.g. {names}"),
    "tags.why.none": ("依据：你近期的行为", "From your recent activity"),
    "tags.act.stock_view": ("浏览 {n} 次", "{n} × viewed"),
    "tags.act.fund_view": ("浏览基金 {n} 次", "{n} × fund viewed"),
    "tags.act.strategy_view": ("浏览策略 {n} 次", "{n} × strategy viewed"),
    "tags.act.brief_read": ("读个股三分钟 {n} 次", "{n} × brief read"),
    "tags.act.content_read": ("阅读 {n} 次", "{n} × read"),
    "tags.act.watchlist_add": ("加自选 {n} 次", "{n} × added to watchlist"),
    "tags.act.plan_view": ("查看方案 {n} 次", "{n} × plan viewed"),
    "tags.act.plan_accept": ("接受方案 {n} 次", "{n} × plan accepted"),
    "tags.act.recommendation_click": ("点击推荐 {n} 次", "{n} × suggestion opened"),
    "tags.act.push_open": ("打开提醒 {n} 次", "{n} × alert opened"),
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
    "landing.title": ("欢迎来到 Tandem", "Welcome to Tandem"),
    "landing.lead": (
        "行情、个股诊断、量化回测与基金投顾，一个应用完成。",
        "Quotes, stock diagnosis, quant backtests and fund advisory in one app.",
    ),
    "landing.point.market": ("实时行情与 Level-2 资金流向", "Live quotes and Level-2 capital flow"),
    "landing.point.diagnosis": (
        "个股三分钟：多维诊断，通俗解读",
        "Stocks in three minutes: multi-factor diagnosis in plain words",
    ),
    "landing.point.wealth": (
        "按风险测评匹配的基金组合（投资有风险）",
        "Fund portfolios matched to your risk assessment (investing involves risk)",
    ),
    "landing.signup": ("免费注册", "Sign up free"),
    "landing.signed_in": ("您已登录。", "You are signed in."),
    "landing.open_app": ("进入应用", "Open the app"),
    "landing.referral_note": (
        "您经合作平台链接访问本页；合作平台不会获得您的任何个人信息。",
        "You reached this page through a partner's link; the partner receives none of your personal data.",
    ),
    "landing.error.title": ("链接无法打开", "This link cannot be opened"),
    "landing.error.home": ("前往应用首页", "Go to the app's home page"),
    "landing.too_many": (
        "来自您网络地址的访问过于频繁，请稍后再试。",
        "Too many visits from your address; please try again shortly.",
    ),
    "login.why.diagnosis": (
        "个股诊断和三分钟简报属于投资咨询服务，只向注册并登录的用户提供。",
        "Diagnosis and the three-minute brief are an investment advisory service, offered only to signed-in users.",
    ),
    "login.why.scores": (
        "综合评分榜来自个股诊断，登录后查看。",
        "The top scores come from the diagnosis, which needs you to log in.",
    ),
    "login.why.watchlist": (
        "自选股保存在你的账户里，登录后才能添加和查看。",
        "Your watchlist is kept in your account; log in to add stocks and see it.",
    ),
    "login.why.feed": (
        "登录后，资讯会加入你自选股的行情、诊断变化和你的提醒。",
        "Log in to add your watched stocks' moves, diagnosis changes and your alerts to the feed.",
    ),
    "login.why.quant": (
        "选股条件和回测任务保存在你的账户里，使用量化需要登录。",
        "Screens and backtests are saved in your account, so Quant needs you to log in.",
    ),
    "login.why.wealth": (
        "理财建议须先做风险测评，并按你的风险等级匹配产品（适当性管理），需要登录。",
        "Advice needs your risk assessment and is matched to your risk level (suitability), so log in first.",
    ),
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
    "quant.screener": ("选股器", "Stock screener"),
    "quant.screener.help": (
        "用字段和函数写条件，按所选日期的时点数据计算（只用当日及以前已公布的财报）。",
        "Write a condition over fields and functions; evaluated point-in-time (only reports published by then).",
    ),
    "quant.expression": ("选股条件", "Screen expression"),
    "quant.date": ("日期", "Date"),
    "quant.run": ("运行选股", "Run screen"),
    "quant.examples": ("示例", "Examples"),
    "quant.save": ("保存条件", "Save screen"),
    "quant.save.name": ("条件名称（可选）", "Name (optional)"),
    "quant.saved": ("我的条件", "My screens"),
    "quant.use": ("用于回测", "Use in backtest"),
    "quant.count": ("只股票符合条件", "stocks match"),
    "quant.truncated": ("仅显示前 200 只", "showing the first 200"),
    "quant.builder": ("策略回测", "Backtest builder"),
    "quant.name": ("策略名称", "Strategy name"),
    "quant.universe": ("股票池（代码，留空为全部样本股票）", "Universe (codes; empty = every stock in the sample)"),
    "quant.screen": ("选股条件（每个调仓日筛选）", "Screen (applied on every rebalance day)"),
    "quant.rank_by": ("排序依据", "Rank by"),
    "quant.order.asc": ("从小到大", "Smallest first"),
    "quant.order.desc": ("从大到小", "Largest first"),
    "quant.max_positions": ("持仓数量", "Positions"),
    "quant.rebalance": ("调仓频率", "Rebalance"),
    "quant.rebalance.daily": ("每日", "Daily"),
    "quant.rebalance.weekly": ("每周", "Weekly"),
    "quant.rebalance.monthly": ("每月", "Monthly"),
    "quant.rebalance.quarterly": ("每季", "Quarterly"),
    "quant.sizing": ("仓位分配", "Sizing"),
    "quant.sizing.equal": ("等权", "Equal weight"),
    "quant.sizing.rank": ("按排名加权", "By rank"),
    "quant.start": ("开始日期", "Start"),
    "quant.end": ("结束日期", "End"),
    "quant.benchmark": ("业绩基准", "Benchmark"),
    "quant.benchmark.none": ("不设基准", "None"),
    "quant.fill_at": ("成交价格", "Fill at"),
    "quant.fill.next_open": ("次日开盘价", "Next open"),
    "quant.fill.close": ("当日收盘价", "Same-day close"),
    "quant.slippage": ("滑点（基点）", "Slippage (bps)"),
    "quant.submit": ("开始回测", "Run backtest"),
    "quant.rules_note": (
        "按A股规则撮合：T+1、涨停不可买/跌停不可卖、停牌、整手（科创板200股起）、佣金最低5元、印花税（2023-08-28起减半）。",
        "A-share rules apply: T+1, no buys at limit-up / sells at limit-down, suspensions, lots, 5-yuan minimum "
        "commission, stamp duty (halved from 2023-08-28).",
    ),
    "quant.jobs": ("我的回测", "My backtests"),
    "quant.jobs.empty": ("还没有回测，填好上面的策略点“开始回测”。", "No backtests yet."),
    "quant.status.queued": ("排队中", "Queued"),
    "quant.status.running": ("运行中", "Running"),
    "quant.status.done": ("已完成", "Done"),
    "quant.status.failed": ("失败", "Failed"),
    "quant.status.cancelled": ("已取消", "Cancelled"),
    "quant.cancel": ("取消", "Cancel"),
    "quant.open": ("查看", "Open"),
    "quant.metrics": ("回测指标", "Metrics"),
    "quant.equity": ("净值走势（策略 vs 基准）", "Equity vs benchmark"),
    "quant.events": ("交易规则事件", "Rule events"),
    "quant.events.none": (
        "没有涨跌停、停牌或T+1限制影响本策略。",
        "No limit, suspension or T+1 event affected this run.",
    ),
    "quant.trades": ("成交记录", "Trades"),
    "quant.trades.more": ("更多成交见CSV导出", "more trades in the CSV export"),
    "quant.report": ("查看完整报告", "Open the tear sheet"),
    "quant.csv.trades": ("导出成交CSV", "Trades CSV"),
    "quant.csv.positions": ("导出每日持仓CSV", "Daily positions CSV"),
    "quant.side.buy": ("买入", "Buy"),
    "quant.side.sell": ("卖出", "Sell"),
    # screen result column headers (the field name stays in the cell's title for people writing screens)
    "quant.col.code": ("代码", "Code"),
    "quant.col.name": ("名称", "Name"),
    "quant.col.open": ("开盘价", "Open"),
    "quant.col.high": ("最高价", "High"),
    "quant.col.low": ("最低价", "Low"),
    "quant.col.close": ("收盘价", "Close"),
    "quant.col.preclose": ("昨收", "Prev close"),
    "quant.col.volume": ("成交量", "Volume"),
    "quant.col.amount": ("成交额", "Amount"),
    "quant.col.turnover": ("换手率", "Turnover"),
    "quant.col.pe_ttm": ("市盈率TTM", "P/E TTM"),
    "quant.col.pb_mrq": ("市净率", "P/B"),
    "quant.col.ps_ttm": ("市销率TTM", "P/S TTM"),
    "quant.col.pcf_ttm": ("市现率TTM", "P/CF TTM"),
    "quant.col.market_cap": ("总市值", "Market cap"),
    "quant.col.roe_avg": ("ROE", "ROE"),
    "quant.col.np_margin": ("净利率", "Net margin"),
    "quant.col.gp_margin": ("毛利率", "Gross margin"),
    "quant.col.net_profit": ("净利润", "Net profit"),
    "quant.col.eps_ttm": ("每股收益TTM", "EPS TTM"),
    "quant.col.revenue": ("营业收入", "Revenue"),
    "quant.col.debt_ratio": ("资产负债率", "Debt ratio"),
    "quant.col.yoy_ni": ("净利润同比", "Net profit YoY"),
    "metric.total_return": ("总收益", "Total return"),
    "metric.annual_return": ("年化收益", "Annual return"),
    "metric.max_drawdown": ("最大回撤", "Max drawdown"),
    "metric.sharpe": ("夏普比率", "Sharpe"),
    "metric.alpha": ("Alpha", "Alpha"),
    "metric.beta": ("Beta", "Beta"),
    "metric.turnover": ("年化换手", "Turnover"),
    "metric.win_rate": ("胜率", "Win rate"),
    "l2.title": ("Level-2 资金流向", "Level-2 capital flow"),
    "l2.replay": ("逐笔回放", "Tick replay"),
    "l2.daily": ("日资金流向", "Daily capital flow"),
    "l2.main": ("主力净流入", "Main-force net inflow"),
    "l2.cum_main": ("累计主力净流入", "Cumulative main-force net"),
    "l2.price": ("价格", "Price"),
    "l2.speed": ("回放速度", "Speed"),
    "l2.live": ("回放中", "Replaying"),
    "l2.ended": ("回放结束", "Replay finished"),
    "l2.minute": ("时间", "Minute"),
    "l2.wan": ("万元", "×10k CNY"),
    "l2.net": ("净流入", "Net inflow"),
    "l2.buy": ("流入", "Inflow"),
    "l2.sell": ("流出", "Outflow"),
    "l2.super_large": ("超大单", "Super-large"),
    "l2.large": ("大单", "Large"),
    "l2.medium": ("中单", "Medium"),
    "l2.small": ("小单", "Small"),
    "l2.chart.super_large": ("超大单", "super large"),
    "l2.chart.large": ("大单", "large"),
    "l2.chart.medium": ("中单", "medium"),
    "l2.chart.small": ("小单", "small"),
    "l2.method": (
        "口径：主力 = 超大单 + 大单；按母单（同一委托多笔成交合计）分类，东方财富阈值。",
        "Method: main force = super-large + large; classified per parent order, East Money thresholds.",
    ),
    # industries and boards as of a day (marketdata/industries.py); {date} is filled by the caller
    "industry.system.csrc": ("证监会行业分类", "CSRC industry classification"),
    "industry.system.tushare": ("Tushare 行业分类", "Tushare industry classification"),
    "industry.system.instruments": ("证券资料中的行业（无日期）", "industry from instrument data (undated)"),
    "industry.snapshot": ("{date} 快照", "snapshot of {date}"),
    "industry.backfilled": (
        "（该快照晚于当日：此前没有更早的分类，沿用最早一份）",
        " (published after this day: no older list exists, so the oldest is used)",
    ),
    "screen.industry": ("行业", "Industry"),
    "screen.industry.help": ("（可选，按所选日期当时的行业分类）", "(optional; as classified on the chosen day)"),
    "tag.theme_why": ("来自您看过、自选或持有的：{stocks}", "From stocks you viewed, watch or hold: {stocks}"),
}


def _merge(*areas: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One catalogue from the per-area word lists; a key defined twice is a mistake, caught at import."""
    merged: dict[str, tuple[str, str]] = {}
    for area in areas:
        twice = merged.keys() & area.keys()
        if twice:
            raise RuntimeError(f"i18n keys defined in two word lists: {sorted(twice)}")
        merged.update(area)
    return merged


# Each area's words sit in their own module here in ``core`` (every layer may name a key); add a new list to this
# call, and the catalogue test checks that every key has both languages.
_WORDS: Final[dict[str, tuple[str, str]]] = _merge(
    _APP_WORDS, STAFF_WORDS, DIAGNOSIS_WORDS, COMPLIANCE_WORDS, ENGAGEMENT_WORDS, WEALTH_WORDS, QUANT_WORDS
)


def pick_lang(query: str | None, cookie: str | None) -> Lang:
    """The request's language: the query wins over the cookie; anything unknown means the default."""
    for value in (query, cookie):
        if value in LANGS:
            return value  # type: ignore[return-value]
    return DEFAULT_LANG


def translate(lang: Lang, key: str, **params: object) -> str:
    """The word for ``key`` in ``lang`` (the key itself when missing, so gaps show up in review).

    ``params`` fill the ``{name}`` fields of the text, so a sentence with figures in it is still one key with two
    languages rather than two sentences built in code.
    """
    pair = _WORDS.get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(lang)]
    if not params:
        return text
    return text.format(**{name: _rendered(lang, value) for name, value in params.items()})


def _rendered(lang: Lang, value: object) -> object:
    """A parameter as it is shown: a nested sentence (or list of them) in the same language, anything else as is."""
    return value.render(lang) if isinstance(value, Message | Joined) else value


def bilingual(text: Message | Joined) -> dict[str, str]:
    """``{"zh": …, "en": …}``: the shape of the public JSON APIs that show both languages side by side."""
    return {lang: text.render(lang) for lang in LANGS}


@dataclass(frozen=True, slots=True)
class Message:
    """A user-visible sentence as data: its catalogue key and the values it shows, rendered in a language at the edge.

    Records carry these instead of ready-made ``*_zh``/``*_en`` strings, so a new language is a catalogue change.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: Lang) -> str:
        """The sentence in ``lang``."""
        return translate(lang, self.key, **self.params)


@dataclass(frozen=True, slots=True)
class Joined:
    """Several sentences or words shown as one text, joined by the separator the language uses (``sep`` is a key).

    Lists read ``白酒、银行`` in Chinese and ``liquor, banks`` in English, so the separator is a catalogue word too;
    an empty ``sep`` runs the items together (fragments of one sentence).
    """

    items: tuple[Message | Joined | str, ...]
    sep: str = "sep.list"

    def render(self, lang: Lang) -> str:
        """The items in ``lang``, joined."""
        sep = translate(lang, self.sep) if self.sep else ""
        return sep.join(str(_rendered(lang, item)) for item in self.items)


def keys() -> frozenset[str]:
    """Every key the dictionary defines (tests check both languages are filled)."""
    return frozenset(_WORDS)
