"""``tandem wealth``: risk questionnaire, model strategies and advisory plans in the terminal.

Fund data comes from the market store under the data home, or from two Parquet files given with
``--funds-file``/``--nav-file`` (same columns as the store). Plans without ``--client-id`` are anonymous
previews whose suitability checks are audited in memory only; with ``--client-id`` the plan and its audit
rows go to the application database (run ``tandem db upgrade`` first).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from sqlalchemy.exc import OperationalError, ProgrammingError

from tandem.cli.context import console, err_console, market_store, print_json, settings
from tandem.cli.display import pad
from tandem.compliance.audit import AuditSink, MemoryAuditLog, SqlAuditLog
from tandem.compliance.suitability import CATEGORY_LABELS_ZH, InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.compute import runner_from_settings
from tandem.core.db import make_engine, make_sessionmaker
from tandem.core.errors import UserError
from tandem.core.i18n import LANGS, translate
from tandem.wealth.assessment import AssessmentService
from tandem.wealth.batch import plan_book
from tandem.wealth.catalogue import Catalogue, build_catalogue
from tandem.wealth.datasource import FundDataSource, ParquetFundSource
from tandem.wealth.fund_master import load_fund_master
from tandem.wealth.plan_store import PlanRepository
from tandem.wealth.plans import Plan, PlanBuilder
from tandem.wealth.questionnaire import load_questionnaire, score_answers
from tandem.wealth.strategies import STRATEGIES
from tandem.wealth.strategy_service import StrategyService
from tandem.wealth.synthetic import synthetic_clients

app = typer.Typer(help="Fund advisory: risk questionnaire, model strategies, client plans.", no_args_is_help=True)

FundsFile = Annotated[Path | None, typer.Option("--funds-file", help="Parquet fund list instead of the store.")]
NavFile = Annotated[Path | None, typer.Option("--nav-file", help="Parquet NAV history instead of the store.")]
Format = Annotated[str, typer.Option("--format", help="text or json.")]
ClientId = Annotated[str | None, typer.Option("--client-id", help="Persist and audit under this client id.")]


def _source(funds_file: Path | None, nav_file: Path | None) -> FundDataSource:
    if funds_file is not None or nav_file is not None:
        if funds_file is None or nav_file is None:
            raise UserError("give both --funds-file and --nav-file, or neither to use the market store")
        return ParquetFundSource(funds_path=funds_file, nav_path=nav_file)
    store = market_store()
    if store.funds().empty:
        raise UserError("the market store has no funds; run `tandem data import` or pass --funds-file/--nav-file")
    return store


FundMaster = Annotated[
    Path | None,
    typer.Option(
        "--fund-master",
        help="Tushare fund_basic CSV (e.g. ../shared/data/funds/tushare_fund_basic_2022/fund_name_list.csv.gz): "
        "off-exchange funds it lists use its min_amount as their minimum purchase (default: TANDEM_FUND_MASTER).",
    ),
]


def _catalogue(funds_file: Path | None, nav_file: Path | None, fund_master: Path | None = None) -> Catalogue:
    minimums = None
    fund_master = fund_master or settings().fund_master
    if fund_master is not None:
        master = load_fund_master(fund_master)
        for problem in master.problems[:5]:  # stderr: --format json keeps stdout pure JSON
            err_console.print(f"fund master: {problem} (row left out)", markup=False, highlight=False)
        if len(master.problems) > 5:
            err_console.print(f"fund master: {len(master.problems) - 5} more problem rows left out", markup=False)
        minimums = master.minimums
    return build_catalogue(_source(funds_file, nav_file), minimums=minimums)


def _db_audit() -> tuple[Any, SqlAuditLog]:
    sessions = make_sessionmaker(make_engine(settings().sqlalchemy_url))
    return sessions, SqlAuditLog(sessions)


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise UserError(f"--format {fmt!r}: use text or json")


@app.command("assess")
def assess(
    client_id: ClientId = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    fmt: Format = "text",
) -> None:
    """Take the risk questionnaire interactively and show the resulting category (C1–C5)."""
    _check_format(fmt)
    q = load_questionnaire()
    which = LANGS.index(lang) if lang in LANGS else 1  # the questionnaire file carries both languages; other → English
    answers: dict[str, str] = {}
    for i, question in enumerate(q.questions, 1):
        console.print(f"\n[bold]{i}. {(question.zh, question.en)[which]}[/bold]")
        for o in question.options:
            console.print(f"   {o.key}) {(o.zh, o.en)[which]}")
        keys = [o.key for o in question.options]
        answer = str(typer.prompt("answer")).strip().lower()
        while answer not in keys:
            answer = str(typer.prompt(f"choose one of {', '.join(keys)}")).strip().lower()
        answers[question.id] = answer
    result = score_answers(q, answers)
    stored_id = None
    if client_id is not None:
        sessions, audit = _db_audit()
        try:
            svc = AssessmentService(sessions=sessions, audit=audit, questionnaire=q)
            stored_id = svc.submit(actor=f"cli:{client_id}", client_id=client_id, answers=answers).id
        except (OperationalError, ProgrammingError) as exc:
            raise UserError(f"cannot store the assessment ({exc.orig}); run `tandem db upgrade` first") from exc
    out = {
        "level": result.category.value,
        "label": CATEGORY_LABELS_ZH[result.category],
        "score": result.score,
        "lowest_category": result.lowest_category,
        "forced_by": list(result.forced_by),
        "valid_days": q.validity_days,
        "questionnaire_version": q.version,
        "assessment_id": stored_id,
    }
    if fmt == "json":
        print_json(out)
        return
    console.print(f"\n风险承受能力 / risk category: [bold]{out['level']}[/bold] {out['label']}  (score {result.score})")
    if result.lowest_category:
        console.print("最低风险承受能力类别：只能购买R1级产品。 " + "; ".join(result.forced_by))
    console.print(f"有效期 {q.validity_days} 天，到期需重新评估。")


def _plan_text(plan: Plan) -> None:
    console.print(
        f"[bold]{plan.strategy_name}[/bold] ({plan.strategy}) — 风险等级 {plan.level}, 金额 ¥{plan.amount:,.0f}"
    )
    name_w = max((cell_len(h.name) for h in plan.holdings), default=0)
    for h in plan.holdings:
        name = pad(h.name, name_w)
        channel = translate("zh", f"wealth.channel.{h.channel}")
        source = pad(translate("zh", f"wealth.min_short.{h.min_purchase_source}"), 8)
        console.print(
            f"  {h.code:<10} {name} {h.risk_level} {h.weight:6.1%} {channel} ¥{h.amount:>11,.2f}"
            f" {h.units:>11,.2f}份 起购 ¥{h.min_purchase:>9,.2f} {source}",
            markup=False,
        )
    console.print(f"  未投资现金 ¥{plan.cash_residual:,.2f}")
    for key in sorted({h.min_purchase_source for h in plan.holdings}):
        short, full = translate("zh", f"wealth.min_short.{key}"), translate("zh", f"wealth.min_source.{key}")
        console.print(f"  起购依据 {short}: {full}")
    if any(h.channel == "otc" for h in plan.holdings):
        console.print(f"  注: {translate('zh', 'wealth.units.note')}")
    e = plan.expected
    console.print(
        f"历史年化收益 {e.annual_return:.1%}  年化波动 {e.volatility:.1%}  最大回撤 {e.max_drawdown:.1%}  ({e.basis})"
    )
    for note in plan.notes:
        console.print(f"  注: {note}")
    for r in plan.rebalance:
        console.print(f"  调仓建议: {r.action} {r.code} ¥{r.amount:,.2f}")
    console.print(plan.explanation.render("zh"))
    console.print(plan.data_line)
    console.print(plan.disclaimer.render("zh"))


@app.command("plan")
def plan(
    level: Annotated[str, typer.Option("--level", help="Client risk category C1..C5.")],
    amount: Annotated[float, typer.Option("--amount", help="Amount to invest in CNY.")],
    strategy: Annotated[str | None, typer.Option("--strategy", help="Strategy key or Chinese name.")] = None,
    horizon: Annotated[float, typer.Option("--horizon", help="Investment horizon in years.")] = 3.0,
    fmt: Format = "text",
    client_id: ClientId = None,
    funds_file: FundsFile = None,
    nav_file: NavFile = None,
    fund_master: FundMaster = None,
) -> None:
    """Build a plan for a client of LEVEL investing AMOUNT (only strategies and funds that match LEVEL)."""
    _check_format(fmt)
    category = InvestorCategory.parse(level)
    catalogue = _catalogue(funds_file, nav_file, fund_master)
    audit: AuditSink
    sessions = None
    if client_id is None:
        audit = MemoryAuditLog()
    else:
        sessions, audit = _db_audit()
    builder = PlanBuilder(catalogue=catalogue, suitability=SuitabilityService(audit=audit))
    actor = f"cli:{client_id or 'preview'}"
    try:
        result = builder.build(
            actor=actor,
            client_id=client_id or "preview",
            category=category,
            amount=amount,
            horizon_years=horizon,
            strategy=strategy,
        )
        plan_id = PlanRepository(sessions=sessions, audit=audit).save(actor=actor, plan=result) if sessions else None
    except (OperationalError, ProgrammingError) as exc:
        raise UserError(f"cannot store the plan ({exc.orig}); run `tandem db upgrade` first") from exc
    if fmt == "json":
        data = result.to_dict()
        data["plan_id"] = plan_id
        print_json(data)
    else:
        _plan_text(result)


@app.command("strategies")
def strategies(
    level: Annotated[str | None, typer.Option("--level", help="Show only strategies matching C1..C5.")] = None,
    fmt: Format = "text",
    funds_file: FundsFile = None,
    nav_file: NavFile = None,
) -> None:
    """List model strategies; with --level, only matching ones, with their real walk-forward backtests."""
    _check_format(fmt)
    rows: list[dict[str, Any]] = []
    if level is None:
        for s in STRATEGIES:
            serves = [c.value for c in InvestorCategory if s.serves(c)]
            rows.append(
                {
                    "key": s.key,
                    "name": s.name.render("zh"),
                    "name_en": s.name.render("en"),
                    "risk": s.risk.value,
                    "levels": serves,
                }
            )
    else:
        category = InvestorCategory.parse(level)
        service = StrategyService(
            catalogue=_catalogue(funds_file, nav_file), suitability=SuitabilityService(audit=MemoryAuditLog())
        )
        for view in service.list_for(actor="cli:preview", client_id="preview", category=category):
            s, bt = view.strategy, view.backtest
            rows.append(
                {
                    "key": s.key,
                    "name": s.name.render("zh"),
                    "name_en": s.name.render("en"),
                    "risk": s.risk.value,
                    "levels": [c.value for c in InvestorCategory if s.serves(c)],
                    "backtest": {
                        "annual_return": bt.stats.annual_return,
                        "volatility": bt.stats.volatility,
                        "max_drawdown": bt.stats.max_drawdown,
                        "start": bt.stats.start,
                        "end": bt.stats.end,
                        "costs": bt.costs,
                        "method": bt.method,
                    },
                }
            )
    if fmt == "json":
        print_json(rows)
        return
    name_w = max((cell_len(str(r["name"])) for r in rows), default=0)
    for r in rows:
        line = f"{r['key']:<10} {pad(str(r['name']), name_w)} {r['risk']}  适用 {','.join(r['levels'])}"
        if "backtest" in r:
            b = r["backtest"]
            line += (
                f"  年化 {b['annual_return']:.1%} 波动 {b['volatility']:.1%} 最大回撤 {b['max_drawdown']:.1%}"
                f" ({b['start']}..{b['end']})"
            )
        console.print(line)


@app.command("batch")
def batch(
    clients: Annotated[int, typer.Option("--clients", help="How many SYNTHETIC clients to generate.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Generator seed.")] = 7,
    out: Annotated[Path | None, typer.Option("--out", help="Write every plan summary to this JSON file.")] = None,
    funds_file: FundsFile = None,
    nav_file: NavFile = None,
) -> None:
    """Plans for a SYNTHETIC book of clients on the in-process pool, or Ray when TANDEM_COMPUTE=ray."""
    s = settings()
    with tempfile.TemporaryDirectory() as tmp:
        if funds_file is None or nav_file is None:
            source = _source(funds_file, nav_file)
            funds_file, nav_file = Path(tmp) / "funds.parquet", Path(tmp) / "fund_nav.parquet"
            source.funds().to_parquet(funds_file)
            source.fund_nav().to_parquet(nav_file)
        held = sorted(build_catalogue(_source(funds_file, nav_file)).products)[:6]
        book = synthetic_clients(clients, seed=seed, fund_codes=held)
        started = time.perf_counter()
        with runner_from_settings(s) as runner:
            result = plan_book(book, funds_path=funds_file, nav_path=nav_file, runner=runner)
        wall = time.perf_counter() - started
    summary = {
        "synthetic": True,
        "label": result.label,
        "clients": clients,
        "plans": len(result.plans),
        "refused": len(result.errors),
        "audited_checks": result.audited_checks,
        "compute": s.compute,
        "workers": s.compute_workers,
        "wall_seconds": round(wall, 3),
        "by_strategy": dict(Counter(p["strategy"] for p in result.plans)),
    }
    if out is not None:
        out.write_text(
            json.dumps({**summary, "results": result.plans, "errors": result.errors}, ensure_ascii=False),
            encoding="utf-8",
        )
    print_json(summary)
