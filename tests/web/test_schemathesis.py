"""schemathesis against our OpenAPI document: no operation answers 5xx, whatever the input.

Every operation is exercised as the anonymous public (with whatever credentials schemathesis makes up) and as
the credit office admin (a real login cookie and CSRF token), on SQLite and PostgreSQL (the ``engine``
fixture). Generation is bounded (the coverage phase plus ``max_examples`` fuzzed cases per operation) and
derandomised, so the run is repeatable and takes well under a minute. Each request runs in a savepoint
that is rolled back, so examples do not depend on each other (and the admin survives generated "deactivate"
calls); the seeded data lets generated ids and codes sometimes hit real rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from principals import add_account, isolated_session, login_session, seeded
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.web.app import create_app
from xinyong.web.deps import get_session

ADMIN_EXAMPLES = 15  # fuzzed cases per operation, after the coverage phase's boundary cases
ANONYMOUS_EXAMPLES = 5
APP = create_app()
# The admin run does the thorough work: the coverage phase (boundary values, wrong types, missing fields)
# plus fuzzing. Starlette's 405 for an undeclared method is not ours to test: skipped.
admin_schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})
)
# Anonymously every non-public operation stops at the credential check (made-up bearer tokens and cookies
# included), and the public ones behave the same for everybody: a short fuzzing run suffices.
anonymous_schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
)
BOUNDED = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
}


@pytest.fixture(scope="module")
def seeded_app(engine: Engine) -> Iterator[Session]:
    """The app bound to a database (each kind in turn) seeded once for the module."""
    with seeded(engine) as (session, _):
        APP.dependency_overrides[get_session] = isolated_session(session)
        yield session
        APP.dependency_overrides.clear()


@pytest.fixture(scope="module")
def admin(seeded_app: Session) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) of a logged-in credit office admin."""
    raw, csrf = login_session(seeded_app, add_account(seeded_app, "fuzz_admin", "credit_office_admin"))
    return {"X-CSRF-Token": csrf}, {SESSION_COOKIE: raw}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(seeded_app: Session) -> None:
    """Every test runs on the seeded app, with a fresh rate-limit budget: a 429 would hide the code under test."""
    limiter = getattr(APP.state, "rate_limiter", None)
    if limiter is not None:
        limiter.reset()


@anonymous_schema.parametrize()
@settings(max_examples=ANONYMOUS_EXAMPLES, **BOUNDED)
def test_anonymous_gets_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@admin_schema.parametrize()
@settings(max_examples=ADMIN_EXAMPLES, **BOUNDED)
def test_admin_gets_no_server_error(case: schemathesis.Case, admin: tuple[dict[str, str], dict[str, str]]) -> None:
    headers, cookies = admin
    case.headers.pop("Authorization", None)  # a made-up bearer token would be refused before the code under test
    case.cookies.pop(SESSION_COOKIE, None)
    case.call_and_validate(headers=headers, cookies=cookies, checks=[not_a_server_error])
