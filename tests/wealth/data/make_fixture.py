"""Rebuild the committed fund NAV fixture from the real data in /work/shared/data/funds (run by hand).

Sources (see /work/shared/data/PROVENANCE.md): East Money NAV files from ``fund_study_eastmoney_2015_2021``
(unit NAV, accumulated NAV) and exchange closing prices from ``etf_rotation_31etfs_to_2023`` for ETFs that
file set lacks (close used as NAV; ``acc_nav`` chains the
exchange's ``close / pre_close`` returns so distributions do not look like losses; labelled in ``source``).
Names and East Money types come from
``all_fund_2021-01-15.json``; 511880 is listed there as 其他创新 but PROVENANCE.md names it a money-market ETF,
so it is typed 货币型 here. Window 2017-01-01 .. 2020-12-31; nothing is computed or filled in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SRC = Path("/work/shared/data/funds")
OUT = Path(__file__).parent
START, END = "2017-01-01", "2020-12-31"

EM_FILES = {  # code in fixture -> file name in fund_study_eastmoney_2015_2021
    "160124": "南方中债10年期国债C.csv",
    "217011": "217011.csv",
    "001182": "易方达安心回馈组合.csv",
    "000572": "中银多策略混合A.csv",
    "519697": "交银优势行业混合.csv",
    "110011": "110011.csv",
    "005827": "005827.csv",
    "001938": "中欧时代先锋A.csv",
    "110022": "易方达消费行业股票.csv",
    "460300": "460300.csv",
    "006649": "汇安多因子C.csv",
    "159926.SZ": "159926_国债etf.csv",
    "159919.SZ": "159919_沪深300etf.csv",
    "513100.SH": "513100_纳斯达克etf.csv",
    "518880.SH": "518880_黄金etf.csv",
}
ETF_CLOSE = ["511880.SH", "511010.SH", "510500.SH", "513500.SH"]
TYPE_OVERRIDE = {"511880": "货币型"}


def _em(code: str, name: str) -> pd.DataFrame:
    raw = pd.read_csv(SRC / "fund_study_eastmoney_2015_2021" / name)
    frame = pd.DataFrame(
        {
            "code": code,
            "date": pd.to_datetime(raw["净值日期"]).dt.date,
            "nav": raw["单位净值"].astype(float),
            "acc_nav": raw["累计净值"].astype(float),
            "daily_return": pd.to_numeric(raw["日增长率"].astype(str).str.rstrip("%"), errors="coerce") / 100.0,
            "source": "eastmoney_nav",
        }
    )
    return frame


def _etf(code: str) -> pd.DataFrame:
    raw = pd.read_csv(SRC / "etf_rotation_31etfs_to_2023" / f"{code}.csv").dropna(subset=["close", "vol"])
    close = raw["close"].astype(float).to_numpy()
    # pre_close is the exchange's ex-distribution reference price, so close / pre_close - 1 is the
    # distribution-adjusted daily return (511880 pays its accrued income once a year: a -3% price gap).
    ret = close / raw["pre_close"].astype(float).to_numpy() - 1.0
    ret[0] = 0.0
    return pd.DataFrame(
        {
            "code": code,
            "date": pd.to_datetime(raw["date"]).dt.date,
            "nav": close,
            "acc_nav": close[0] * (1.0 + ret).cumprod(),
            "daily_return": ret,
            "source": "etf_close_adjusted_by_pre_close",
        }
    )


def main() -> None:
    """Write funds.parquet and fund_nav.parquet next to this script."""
    listing = {
        r[0]: r for r in json.loads((SRC / "fund_study_eastmoney_2015_2021" / "all_fund_2021-01-15.json").read_text())
    }
    parts = [_em(c, f) for c, f in EM_FILES.items()] + [_etf(c) for c in ETF_CLOSE]
    nav = pd.concat(parts, ignore_index=True)
    nav = nav[(nav["date"] >= pd.Timestamp(START).date()) & (nav["date"] <= pd.Timestamp(END).date())]
    nav = nav.sort_values(["code", "date"]).reset_index(drop=True)
    rows = []
    for code in sorted(nav["code"].unique()):
        bare = code.split(".")[0]
        rec = listing[bare]
        rows.append({"code": code, "name": rec[2], "fund_type": TYPE_OVERRIDE.get(bare, rec[3]), "initials": rec[1]})
    pd.DataFrame(rows).to_parquet(OUT / "funds.parquet", index=False)
    nav.to_parquet(OUT / "fund_nav.parquet", index=False, compression="zstd")


if __name__ == "__main__":
    main()
