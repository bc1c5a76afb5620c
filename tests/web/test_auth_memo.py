"""The per-worker bearer memo: read endpoints skip the DB check, yet revocation inside the worker is immediate."""

from __future__ import annotations

QUOTE = "/api/v1/stocks/600519.SH/quote"


def _problem_401(r) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_memo_answers_repeat_requests_without_the_db(client, app, alice) -> None:
    assert client.get(QUOTE, headers=alice).status_code == 200
    calls = []
    real = app.state.tandem.sessions
    app.state.tandem.sessions = lambda: calls.append(1) or real()
    try:
        for _ in range(3):
            assert client.get(QUOTE, headers=alice).status_code == 200
    finally:
        app.state.tandem.sessions = real
    assert calls == []


def test_logout_revokes_a_remembered_token_at_once(client, alice) -> None:
    assert client.get(QUOTE, headers=alice).status_code == 200  # now remembered
    assert client.post("/api/v1/auth/logout", headers=alice).status_code == 204
    _problem_401(client.get(QUOTE, headers=alice))
    _problem_401(client.get("/api/v1/stocks/600519.SH/bars", headers=alice))


def test_password_change_revokes_a_remembered_token_at_once(client, alice) -> None:
    assert client.get(QUOTE, headers=alice).status_code == 200
    body = {"old_password": "Correct-horse-42", "new_password": "Newpass-2025x"}
    assert client.post("/api/v1/me/password", headers=alice, json=body).status_code == 204
    _problem_401(client.get(QUOTE, headers=alice))
    r = client.post("/api/v1/auth/login", json={"username": "alice@example.com", "password": "Newpass-2025x"})
    fresh = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get(QUOTE, headers=fresh).status_code == 200


def test_role_change_revokes_and_a_rolled_back_change_does_not(client, app, alice, make_user) -> None:
    from tandem.identity import User

    assert client.get(QUOTE, headers=alice).status_code == 200
    state = app.state.tandem
    with state.sessions() as db:  # an uncommitted bump must not drop the entry nor reach the DB
        user = db.query(User).filter(User.role == "investor").one()
        user.token_version += 1
        db.flush()
        db.rollback()
    assert client.get(QUOTE, headers=alice).status_code == 200
    admin = make_user("root@example.com", role="admin")
    assert client.put("/api/v1/users/1/role", params={"role": "advisor"}, headers=admin).status_code == 200
    _problem_401(client.get(QUOTE, headers=alice))


def test_bad_credentials_still_get_401_on_a_public_endpoint(client) -> None:
    assert client.get(QUOTE).status_code == 200  # quotes are public; sent credentials must still be valid
    for header in ("Bearer nonsense", "Basic abc", "Bearer "):
        _problem_401(client.get(QUOTE, headers={"Authorization": header}))
