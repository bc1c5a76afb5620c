"""Accounts over the API: login, sign-up, lockout, rate limit, token revocation, roles, PII masking and encryption."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tandem.identity import User

PROBLEM = "application/problem+json"


def _is_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["detail"]
    assert "Traceback" not in r.text
    return body


def test_healthz_is_open(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_signup_then_login_returns_bearer_token(client) -> None:
    r = client.post("/api/v1/auth/signup", json={"username": "New.User@Example.com", "password": "abcdefgh12"})
    assert r.status_code == 201, r.text
    assert r.json()["role"] == "investor" and r.json()["username"] == "new.user@example.com"
    r = client.post("/api/v1/auth/login", json={"username": "new.user@example.com", "password": "abcdefgh12"})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "new.user@example.com"


# Market data a visitor may read without an account, as in every broker app (tests/web/test_public_market.py).
PUBLIC_MARKET = {
    "/api/v1/stocks",
    "/api/v1/stocks/{code}/quote",
    "/api/v1/stocks/{code}/bars",
    "/api/v1/market/home",
    "/api/v1/news",
}


def test_everything_but_health_login_signup_and_public_market_needs_auth(client, app) -> None:
    open_paths = {"/healthz", "/api/v1/auth/login", "/api/v1/auth/signup"} | PUBLIC_MARKET
    checked = 0
    for path, ops in app.openapi()["paths"].items():
        if not path.startswith("/api/") or path in open_paths:
            continue
        for method in (m.upper() for m in ops):
            url = path.replace("{code}", "600519.SH").replace("{item_id}", "1").replace("{user_id}", "1")
            url = url.replace("{job_id}", "1").replace("{plan_id}", "1")
            r = client.request(method, url, json={})
            assert r.status_code == 401, (method, url, r.status_code)
            checked += 1
    assert checked >= 8


def test_duplicate_signup_is_conflict_and_weak_password_rejected(client) -> None:
    ok = client.post("/api/v1/auth/signup", json={"username": "13900001111", "password": "abcdefgh12"})
    assert ok.status_code == 201
    assert ok.json()["username"] == "139****1111"  # a phone login is shown masked
    _is_problem(client.post("/api/v1/auth/signup", json={"username": "139 0000 1111", "password": "abcdefgh12"}), 409)
    _is_problem(client.post("/api/v1/auth/signup", json={"username": "x@y.cn", "password": "onlyletters"}), 400)
    _is_problem(client.post("/api/v1/auth/signup", json={"username": "not a login", "password": "abcdefgh12"}), 400)


def test_wrong_password_is_401_and_lockout_after_five(client, make_user) -> None:
    make_user("carol@example.com")
    for _ in range(5):
        body = _is_problem(
            client.post("/api/v1/auth/login", json={"username": "carol@example.com", "password": "x"}), 401
        )
        assert body["detail"] == "wrong username or password"
    r = client.post("/api/v1/auth/login", json={"username": "carol@example.com", "password": "Correct-horse-42"})
    _is_problem(r, 423)
    assert int(r.headers["Retry-After"]) > 0
    # unknown accounts read exactly like wrong passwords
    body = _is_problem(client.post("/api/v1/auth/login", json={"username": "nobody@example.com", "password": "x"}), 401)
    assert body["detail"] == "wrong username or password"


def test_login_is_rate_limited(client) -> None:
    statuses = [
        client.post("/api/v1/auth/login", json={"username": f"u{i}@example.com", "password": "x"}).status_code
        for i in range(22)
    ]
    assert statuses[:20] == [401] * 20 and statuses[-1] == 429


def test_password_change_revokes_old_tokens(client, alice) -> None:
    r = client.post(
        "/api/v1/me/password", headers=alice, json={"old_password": "Correct-horse-42", "new_password": "Newpass-2025x"}
    )
    assert r.status_code == 204, r.text
    _is_problem(client.get("/api/v1/me", headers=alice), 401)
    r = client.post("/api/v1/auth/login", json={"username": "alice@example.com", "password": "Newpass-2025x"})
    assert r.status_code == 200


def test_bad_tokens_are_401(client) -> None:
    for header in ("Bearer nonsense", "Basic abc", "Bearer "):
        _is_problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_roles_gate_staff_endpoints(client, alice, make_user) -> None:
    _is_problem(client.get("/api/v1/users", headers=alice), 403)
    ops = make_user("ops@example.com", role="operations")
    r = client.get("/api/v1/users", headers=ops)
    assert r.status_code == 200 and r.json()["total"] >= 2
    _is_problem(client.put("/api/v1/users/1/role", params={"role": "admin"}, headers=ops), 403)
    admin = make_user("root@example.com", role="admin")
    r = client.put("/api/v1/users/1/role", params={"role": "advisor"}, headers=admin)
    assert r.status_code == 200 and r.json()["role"] == "advisor"


def test_pii_masked_in_api_and_encrypted_at_rest(client, app, alice, caplog) -> None:
    r = client.patch("/api/v1/me", headers=alice, json={"phone": "13812345678", "id_number": "11010519491231002X"})
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "138****5678"
    assert r.json()["id_number"] == "1101**********002X"
    assert "13812345678" not in r.text and "11010519491231002X" not in r.text
    with app.state.tandem.sessions() as db:
        row = db.scalar(select(User).where(User.display_name.is_(None)))
        raw = b"".join(v for v in (row.phone_enc, row.id_number_enc, row.login_enc) if v)
    assert b"13812345678" not in raw and b"1101051949" not in raw and b"alice" not in raw
    bad = client.patch("/api/v1/me", headers=alice, json={"id_number": "110105194912310021"})
    _is_problem(bad, 400)


def test_log_processor_masks_pii() -> None:
    from tandem.core.logging import mask_log_event

    event = mask_log_event(None, "info", {"event": "login 13812345678 id 11010519491231002X", "n": 3})
    assert event["event"] == "login 138****5678 id 1101**********002X" and event["n"] == 3
