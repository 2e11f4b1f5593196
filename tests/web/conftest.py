"""Web fixtures: TestClients whose requests use the test's ``db`` session, and a few registered subjects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from principals import PASSWORD, savepoint_client
from sqlalchemy.orm import Session
from webdata import DUP_USCC, SHOP_USCC, Registry, register, register_hefeng

from xinyong.auth import accounts
from xinyong.auth.context import Context
from xinyong.auth.models import Account
from xinyong.web.app import create_app
from xinyong.web.deps import get_session


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    """A client of a fresh app whose every request runs on the test's rolled-back session."""
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(db: Session) -> Iterator[TestClient]:
    """A client whose requests run in savepoints on the test's session: kept on success, rolled back on error,
    as ``session_scope`` does in production."""
    with savepoint_client(db, keep=True) as c:
        yield c


@pytest.fixture
def admin(db: Session, ctx: Context) -> Account:
    """The credit office admin ``admin`` (password ``PASSWORD``), committed so a failed request keeps it."""
    account = accounts.create_admin(ctx, "admin", PASSWORD, "管理员甲")
    db.commit()
    return account


@pytest.fixture
def registry(ctx: Context) -> Registry:
    """A company, an individual business, a natural person and two subjects sharing one code (重码)."""
    return Registry(
        hefeng=register_hefeng(ctx),
        shop=register(
            ctx,
            kind="individual_business",
            name="番禺区市桥禾记粉面店",
            uscc=SHOP_USCC,
            legal_representative="李小禾",
            township_code="440113102",
        ),
        person=register(ctx, kind="natural_person", name="王禾丰", ric="11010519491231002X"),
        dup_a=register(ctx, kind="legal_person", name="广州重码甲贸易有限公司", uscc=DUP_USCC),
        dup_b=register(ctx, kind="legal_person", name="广州重码乙贸易有限公司", uscc=DUP_USCC, allow_duplicate=True),
    )
