"""The screen API's industry filter: stocks of one industry as classified on the screen day; unknown ones are 400s."""

from __future__ import annotations


def test_screen_by_industry_as_classified_that_day(client, alice) -> None:
    body = {"expression": "close > 0", "date": "2024-01-02", "industry": "银行"}
    r = client.post("/api/v1/screens/run", headers=alice, json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    col = out["columns"].index("industry")
    names = {row[1] for row in out["rows"]}
    assert out["count"] >= 3 and {row[col] for row in out["rows"]} == {"银行"} and "招商银行" in names
    bad = client.post("/api/v1/screens/run", headers=alice, json={**body, "industry": "银 行"})
    assert bad.status_code == 400 and "did you mean 银行" in bad.json()["detail"]


def test_the_diagnosis_names_the_classification_list(client, alice) -> None:
    api = client.get("/api/v1/stocks/600036.SH/diagnosis?as_of=2024-01-02", headers=alice)
    assert api.status_code == 200, api.text
    assert api.json()["industry"] == "银行"
    assert api.json()["industry_basis"]["zh"] == "Tushare 行业分类 2023-08-15 快照"
    page = client.get("/market/diagnosis/600036.SH", headers=alice)
    assert page.status_code == 200 and "Tushare 行业分类 2023-08-15 快照" in page.text, page.text[:300]
