"""Backtest benchmarks, side by side in one run on the same data and fees.

(a) Dual-MA crossover grid: 100 (fast, slow) pairs × 300 stock columns × 2,688 days. Data: the real hfq
    subset /work/shared/data/daily/hfq_baostock_2012_2023_subset40 — the 32 of its 40 stocks with complete
    2012-06-11 .. 2023-06-30 histories, hfq closes rounded to whole cents, tiled to 300 columns. Entry/exit
    arrays are computed once with integer-cent window sums (tandem.backtest.signals: ties never trigger) and
    saved; tandem's grid kernel and vectorbt ``Portfolio.from_signals`` each load the SAME arrays in a child
    process (fills at the close, size = all cash, fee 0.1% per side, A-share rules off). Ours gets the whole
    grid in one call (the kernel keeps 3 floats of state per column). A third child runs the same grid from
    the cent prices alone (``ma_grid_final_equity``: signals decided inside the kernel, so its time includes
    the signal work vectorbt is handed precomputed) and must equal ours bit for bit. Final equity must be
    equal within 1e-9 relative on every column. Peak memory = ru_maxrss of each child (incl. the arrays).
(b) Event-driven: a dual-MA (10/30) Strategy on the same 300 columns over the last 1,300 days through
    tandem's on_bar engine vs backtrader (one feed per column), stock-bars/s, 0.1% commission. Every column
    gets its own generated label (600000.SH, 600001.SH, ...: tiled column labels, not the real stocks' codes;
    all A-share rules are off, so no rule keyed on the code applies). Both sides are handed the same
    precomputed crossover line (integer-cent 10/30 window sums, strict inequality so ties never cross; in
    backtrader an extra data line), so neither timed run includes signal work. Sizing is backtrader's
    ``order_target_percent``: whole shares int(value * 1/300 // close) from the decision bar's close and
    portfolio value, filled at the next open; tandem's strategy computes the same share count and sends
    ``order_shares``. The script asserts equal trade counts (tandem trades vs backtrader Completed orders) and
    final values within 1e-9 relative, and exits non-zero otherwise.

Ours and the peer run alternately (``--rounds``, each run in a fresh child process) because the machine is
shared; figures are medians and the ratio is the median of per-round ratios.

Usage: .venv/bin/python benchmarks/bench_backtest.py [--rounds 3] [--skip-event] [--days-b 1300]
[--stocks-b 300] [--write-results]
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path("/work/shared/data/daily/hfq_baostock_2012_2023_subset40")
FEE = 0.001
CASH = 1_000_000.0
VALUE_TOL = 1e-9  # (b): final portfolio values, relative
PAIRS = [(f, s) for f in range(5, 55, 5) for s in range(60, 160, 10)]


def load_closes(n_cols: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    frames = {}
    for f in sorted(glob.glob(str(DATA / "*.csv.gz"))):
        d = pd.read_csv(f, usecols=["date", "code", "close"])
        frames[d["code"].iloc[0]] = d.set_index("date")["close"]
    wide = pd.DataFrame(frames).sort_index()
    full = wide.dropna(axis=1)
    cols = [full.columns[i % full.shape[1]] for i in range(n_cols)]
    cents = np.floor(full[cols].to_numpy() * 100.0 + 0.5).astype(np.int64)
    from tandem.core.models import normalize_code

    return full.index.to_numpy(), cents, [normalize_code(c) for c in cols]  # duplicates: tiled columns


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_tandem(workdir: str, q: mp.Queue) -> None:
    from tandem.backtest.config import ExecutionConfig
    from tandem.backtest.grid import final_equity, price_market

    close = np.load(f"{workdir}/close.npy")
    en, ex = np.load(f"{workdir}/entries.npy"), np.load(f"{workdir}/exits.npy")
    col_stock = np.load(f"{workdir}/col_stock.npy")
    dates = np.arange(close.shape[0]).astype("datetime64[D]")
    market = price_market(dates, ["600000.SH"] * close.shape[1], close)
    cfg = ExecutionConfig.frictionless(initial_cash=CASH).with_(commission_rate=FEE)
    final_equity(en[:, :64], ex[:, :64], col_stock[:64], market, cfg)  # compile / load the cache
    # The whole grid in one call: the kernel walks blocks of columns and keeps 3 floats of state per column,
    # so memory is the two signal arrays themselves (no per-chunk copies).
    t0 = time.perf_counter()
    out = final_equity(en, ex, col_stock, market, cfg)
    dt = time.perf_counter() - t0
    np.save(f"{workdir}/ours.npy", out)
    q.put({"seconds": dt, "peak_mb": _peak_mb()})


def child_fused(workdir: str, q: mp.Queue) -> None:
    """The same grid from prices: signals decided inside the kernel, no signal arrays loaded at all."""
    from tandem.backtest.config import ExecutionConfig
    from tandem.backtest.grid import ma_grid_final_equity, price_market

    cents = np.load(f"{workdir}/cents.npy")
    close = cents / 100.0
    dates = np.arange(close.shape[0]).astype("datetime64[D]")
    market = price_market(dates, ["600000.SH"] * close.shape[1], close)
    cfg = ExecutionConfig.frictionless(initial_cash=CASH).with_(commission_rate=FEE)
    small = price_market(dates, ["600000.SH"] * 2, close[:, :2])
    ma_grid_final_equity(cents[:, :2], PAIRS[:2], small, cfg)  # compile / load the cache
    t0 = time.perf_counter()
    out = ma_grid_final_equity(cents, PAIRS, market, cfg)
    dt = time.perf_counter() - t0
    np.save(f"{workdir}/fused.npy", out)
    q.put({"seconds": dt, "peak_mb": _peak_mb()})


def child_vectorbt(workdir: str, q: mp.Queue) -> None:
    import vectorbt as vbt

    close = np.load(f"{workdir}/close.npy")
    en, ex = np.load(f"{workdir}/entries.npy"), np.load(f"{workdir}/exits.npy")
    col_stock = np.load(f"{workdir}/col_stock.npy")
    small = slice(0, 64)
    vbt.Portfolio.from_signals(
        pd.DataFrame(close[:, col_stock[small]]), pd.DataFrame(en[:, small]), pd.DataFrame(ex[:, small]),
        init_cash=CASH, fees=FEE, freq="1D",
    ).final_value()  # fmt: skip
    t0 = time.perf_counter()
    pf = vbt.Portfolio.from_signals(
        pd.DataFrame(close[:, col_stock]), pd.DataFrame(en), pd.DataFrame(ex), init_cash=CASH, fees=FEE, freq="1D"
    )
    fv = pf.final_value().to_numpy()
    dt = time.perf_counter() - t0
    np.save(f"{workdir}/vbt.npy", fv)
    q.put({"seconds": dt, "peak_mb": _peak_mb()})


def run_child(target, workdir: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(workdir, q))
    p.start()
    while True:
        try:
            res = q.get(timeout=5)
            break
        except Exception:
            if not p.is_alive():
                raise RuntimeError(f"{target.__name__} died with exit code {p.exitcode}") from None
    p.join()
    return res  # type: ignore[no-any-return]


def bench_grid(rounds: int) -> dict[str, object]:
    """Ours and vectorbt alternately, each round in fresh child processes; medians over the rounds."""
    from tandem.backtest.signals import ma_cross_grid

    _, cents, _ = load_closes(300)
    en, ex, col_stock = ma_cross_grid(cents, PAIRS)
    work = tempfile.mkdtemp(prefix="bench_bt_")
    np.save(f"{work}/close.npy", cents / 100.0)
    np.save(f"{work}/cents.npy", cents)
    np.save(f"{work}/entries.npy", en)
    np.save(f"{work}/exits.npy", ex)
    np.save(f"{work}/col_stock.npy", col_stock)
    del en, ex
    units = len(PAIRS) * cents.shape[1] * cents.shape[0]
    ours_s, vbt_s, ours_mb, vbt_mb, ratios, rel = [], [], [], [], [], 0.0
    fused_s, fused_mb, fused_ratios, fused_same = [], [], [], True
    for r in range(rounds):
        ours = run_child(child_tandem, work)
        fused = run_child(child_fused, work)
        theirs = run_child(child_vectorbt, work)
        a, b = np.load(f"{work}/ours.npy"), np.load(f"{work}/vbt.npy")
        rel = max(rel, float(np.max(np.abs(a / b - 1.0))))
        fused_same = fused_same and bool(np.array_equal(np.load(f"{work}/fused.npy"), a))
        fused_s.append(fused["seconds"])
        fused_mb.append(fused["peak_mb"])
        fused_ratios.append(theirs["seconds"] / fused["seconds"])
        ours_s.append(ours["seconds"])
        vbt_s.append(theirs["seconds"])
        ours_mb.append(ours["peak_mb"])
        vbt_mb.append(theirs["peak_mb"])
        ratios.append(theirs["seconds"] / ours["seconds"])
        print(
            f"    round {r + 1}: tandem {ours['seconds']:.3f} s, vectorbt {theirs['seconds']:.2f} s, "
            f"ratio {ratios[-1]:.1f}×; fused from prices {fused['seconds']:.3f} s ({fused_ratios[-1]:.1f}×); "
            f"load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
    return {
        "shape": f"{len(PAIRS)} pairs × {cents.shape[1]} stocks × {cents.shape[0]} days",
        "units": units, "rounds": rounds,
        "ours_s": float(np.median(ours_s)), "ours_mb": max(ours_mb),
        "vbt_s": float(np.median(vbt_s)), "vbt_mb": max(vbt_mb),
        "ratio": float(np.median(ratios)), "ratio_min": min(ratios), "ratio_max": max(ratios),
        "max_rel_diff": rel,
        "fused_s": float(np.median(fused_s)), "fused_mb": max(fused_mb),
        "fused_ratio": float(np.median(fused_ratios)), "fused_same": fused_same,
    }  # fmt: skip


def bench_event(days: int, stocks: int, rounds: int) -> dict[str, object]:
    import backtrader as bt

    from tandem.backtest.config import ExecutionConfig
    from tandem.backtest.event_engine import run_strategy
    from tandem.backtest.grid import price_market
    from tandem.backtest.strategy import Context, Strategy

    dates, cents, _ = load_closes(stocks)
    dates, close = dates[-days:], cents[-days:] / 100.0
    n = close.shape[1]
    # Tiled columns share real stocks, so each column gets its own generated label 600000.SH, 600001.SH, ...:
    # the labels only identify columns (every A-share rule is off under the frictionless config, so no rule
    # keyed on the code changes anything); the prices stay the real hfq closes.
    names = [f"{600000 + j:06d}.SH" for j in range(n)]

    # Both sides are handed the SAME precomputed crossover line (integer-cent window sums, strict
    # inequality: ties never cross), computed once outside the timed runs, so the decisions are identical.
    f10 = np.zeros_like(cents[-days:])
    s30 = np.zeros_like(cents[-days:])
    c = np.cumsum(np.vstack([np.zeros((1, n), dtype=np.int64), cents[-days:]]), axis=0)
    f10[9:], s30[29:] = c[10:] - c[:-10], c[30:] - c[:-30]
    above = f10 * 30 > s30 * 10
    cross = np.zeros(close.shape, dtype=np.int8)
    cross[30:] = above[30:].astype(np.int8) - above[29:-1].astype(np.int8)  # +1 up, -1 down
    pct = 1.0 / n

    class DualMA(Strategy):
        # Sizing as backtrader's order_target_percent: whole shares = int(value * pct // close) from the
        # decision bar's close and the portfolio value marked at that close; the fill is the next open.
        def on_bar(self, ctx: Context) -> None:
            x = cross[ctx.i]
            px = close[ctx.i]
            value = ctx.cash_arr[0] + float(ctx.pos @ px)
            for j in np.flatnonzero((x > 0) & (ctx.pos == 0)):
                ctx.order_shares(ctx.codes[j], float((value * pct) // px[j]))
            for j in np.flatnonzero((x < 0) & (ctx.pos > 0)):
                ctx.order_shares(ctx.codes[j], -float(ctx.pos[j]))

    market = price_market(pd.DatetimeIndex(dates).to_numpy(), names, close)
    cfg = ExecutionConfig.frictionless(initial_cash=CASH, fill_at="next_open").with_(commission_rate=FEE)
    # Warm up on the very market that is timed: a shorter warm-up market left one specialisation to be
    # compiled inside the timed run whenever the on-disk numba cache was cold (seconds, not the engine).
    run_strategy(DualMA(), market, cfg)

    class SignalData(bt.feeds.PandasData):  # type: ignore[misc]
        lines = ("cross",)
        params = (("cross", -1),)

    class BtDualMA(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.executed = 0

        def notify_order(self, order: bt.Order) -> None:
            if order.status == order.Completed:
                self.executed += 1

        def next(self) -> None:
            for d in self.datas:
                x = d.cross[0]
                if x > 0 and not self.getposition(d).size:
                    self.order_target_percent(d, target=pct)
                elif x < 0 and self.getposition(d).size:
                    self.close(d)

    def run_bt() -> tuple[int, float]:
        cerebro = bt.Cerebro(stdstats=False)
        idx = pd.DatetimeIndex(dates)
        for j in range(n):
            px = close[:, j]
            df = pd.DataFrame(
                {"open": px, "high": px, "low": px, "close": px, "volume": 1e9, "cross": cross[:, j].astype(float)},
                index=idx,
            )
            cerebro.adddata(SignalData(dataname=df), name=names[j])
        cerebro.addstrategy(BtDualMA)
        cerebro.broker.setcash(CASH)
        cerebro.broker.setcommission(commission=FEE)
        strat = cerebro.run()[0]
        return strat.executed, float(cerebro.broker.getvalue())

    t_ours, t_bt, ratios = [], [], []
    for _ in range(rounds):  # alternately: the machine is shared
        t0 = time.perf_counter()
        res = run_strategy(DualMA(), market, cfg)
        t1 = time.perf_counter()
        bt_trades, bt_value = run_bt()
        t2 = time.perf_counter()
        t_ours.append(t1 - t0)
        t_bt.append(t2 - t1)
        ratios.append((t2 - t1) / (t1 - t0))
    ours, theirs = float(np.median(t_ours)), float(np.median(t_bt))
    bars = days * n
    return {
        "shape": f"{n} stocks × {days} days",
        "bars": bars,
        "ours_s": ours,
        "bt_s": theirs,
        "ours_trades": len(res.trades),
        "bt_trades": bt_trades,
        "ours_value": float(res.equity.iloc[-1]),
        "bt_value": bt_value,
        "ratio": float(np.median(ratios)),
        "rounds": rounds,
    }


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days-b", type=int, default=1300)
    ap.add_argument("--stocks-b", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3, help="alternating ours/vectorbt rounds for (a)")
    ap.add_argument("--rounds-b", type=int, default=2, help="alternating ours/backtrader rounds for (b)")
    ap.add_argument("--skip-grid", action="store_true", help="run (b) only")
    ap.add_argument("--skip-event", action="store_true", help="run (a) only")
    ap.add_argument("--write-results", action="store_true", help="replace the Backtests section of RESULTS.md")
    args = ap.parse_args()
    a = {} if args.skip_grid else bench_grid(args.rounds)
    if a:
        ours_tp, vbt_tp = a["units"] / a["ours_s"], a["units"] / a["vbt_s"]  # type: ignore[operator]
        print(f"(a) dual-MA grid {a['shape']} = {a['units']:,} combo·stock·bars, median of {a['rounds']} rounds")
        print(f"    tandem   {a['ours_s']:.3f} s  {ours_tp:,.0f} combo·stock·bars/s  peak {a['ours_mb']:,.0f} MB")
        print(f"    vectorbt {a['vbt_s']:.3f} s  {vbt_tp:,.0f} combo·stock·bars/s  peak {a['vbt_mb']:,.0f} MB")
        print(
            f"    ratio: {a['ratio']:.1f}× throughput (median of per-round ratios, range {a['ratio_min']:.1f}–"
            f"{a['ratio_max']:.1f}; goal ≥ 20×), memory {a['ours_mb'] / a['vbt_mb']:.3f} of vectorbt's (goal ≤ 0.2); "
            f"max relative final-equity difference {a['max_rel_diff']:.2e} (≤ 1e-9)"
        )  # type: ignore[operator]
        fused_tp = a["units"] / a["fused_s"]  # type: ignore[operator]
        print(
            f"    from prices (signals inside the kernel, no signal arrays): {a['fused_s']:.3f} s  {fused_tp:,.0f} "
            f"combo·stock·bars/s  peak {a['fused_mb']:,.0f} MB; {a['fused_ratio']:.1f}× vectorbt-on-arrays; "
            f"final equity bit-for-bit equal to ours on arrays: {a['fused_same']}"
        )
    if args.skip_event:
        return
    b = bench_event(args.days_b, args.stocks_b, args.rounds_b)
    o, t = b["bars"] / b["ours_s"], b["bars"] / b["bt_s"]  # type: ignore[operator]
    print(
        f"(b) event-driven dual-MA {b['shape']}: tandem {b['ours_s']:.3f} s = {o:,.0f} stock-bars/s; "
        f"backtrader {b['bt_s']:.2f} s = {t:,.0f} stock-bars/s; ratio {b['ratio']:.0f}× (median of {b['rounds']} "
        "alternating rounds; goal ≥ 50×)"
    )
    rel = abs(b["ours_value"] / b["bt_value"] - 1.0)  # type: ignore[operator]
    print(
        f"    same work: tandem {b['ours_trades']:,} trades vs backtrader {b['bt_trades']:,} executed orders; "
        f"final value tandem {b['ours_value']:,.2f} vs backtrader {b['bt_value']:,.2f} (relative {rel:.1e}, "
        f"tolerance {VALUE_TOL:.0e})"
    )
    if b["ours_trades"] != b["bt_trades"] or rel > VALUE_TOL:
        sys.exit("(b) tandem and backtrader did not do the same work: trade counts or final values differ")
    if args.write_results and a:
        write_results(a, ours_tp, vbt_tp, b, o, t)


def write_results(a: dict, ours_tp: float, vbt_tp: float, b: dict, o: float, t: float) -> None:  # type: ignore[type-arg]
    path = Path(__file__).parent / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Benchmark results\n\nMachine: {machine()}\n"
    section = (
        f"\n## Backtests\n\n`benchmarks/bench_backtest.py`, {time.strftime('%Y-%m-%d')}. Data: real hfq closes of "
        "the 32 full-history stocks of `daily/hfq_baostock_2012_2023_subset40`, rounded to cents, tiled to 300 "
        "columns.\n\n"
        "| benchmark | tandem | peer | ratio | goal |\n|---|---|---|---|---|\n"
        f"| (a) dual-MA grid {a['shape']}, vs vectorbt from_signals | {ours_tp:,.0f} combo·stock·bars/s, "
        f"peak {a['ours_mb']:,.0f} MB | {vbt_tp:,.0f} /s, peak {a['vbt_mb']:,.0f} MB | {a['ratio']:.1f}× speed, "
        f"{a['ours_mb'] / a['vbt_mb']:.3f}× memory | ≥ 20×, ≤ 0.2× |\n"
        f"| (a) final equity max relative difference | {a['max_rel_diff']:.1e} | | | ≤ 1e-9 |\n"
        f"| (b) event-driven dual-MA {b['shape']}, vs backtrader | {o:,.0f} stock-bars/s | {t:,.0f} /s | "
        f"{b['ratio']:.0f}× | ≥ 50× |\n"
    )
    if "\n## Backtests" in text:
        head, rest = text.split("\n## Backtests", 1)
        tail = rest.split("\n## ", 1)
        text = head + section + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n" + section
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
