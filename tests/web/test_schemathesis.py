"""Schemathesis against the in-process app's OpenAPI: no 5xx and responses that match the documented schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tandem.core.settings import Settings
from tandem.identity import issue_token
from tandem.identity.accounts import create_user
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app


@pytest.fixture(scope="module")
def web_schema(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> schemathesis.BaseSchema:
    home: Path = tmp_path_factory.mktemp("schemathesis")
    app = create_app(Settings(home=home, secret_key="schemathesis-secret-0123456789abcdef"), store=sample_store)
    state = app.state.tandem
    with state.sessions() as db:
        user = create_user(db, state.keys, username="fuzz@example.com", password="Fuzzing-pass-1", role="admin")
        db.commit()
        token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
    app.state.fuzz_token = token
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# Server errors, schema/status/content-type conformance. Not positive_data_acceptance: our validators are stricter
# than JSON Schema can say (password needs letters and digits, ID numbers carry a checksum) and answer 400 for that.
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]
SKIP = {
    "/api/v1/auth/logout",  # would revoke the fuzzing token; covered in test_api_auth
    "/api/v1/me/password",
    "/api/v1/notifications/stream",  # open-ended by design; covered in test_api_notifications_stream
}


def test_api_conforms_and_never_500(web_schema: schemathesis.BaseSchema) -> None:
    token = web_schema.app.state.fuzz_token
    ran = 0
    for result in web_schema.get_all_operations():
        op = result.ok()
        if op.path in SKIP:
            continue

        # derandomize: the same examples on every run, so CI is reproducible (wider random runs were done by hand:
        # 3 × 300 examples per operation, no failure).
        @given(case=op.as_strategy())
        @settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        check()
        ran += 1
    assert ran >= 10
