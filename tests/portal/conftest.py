"""Portal fixtures: the credit office and a department officer acting, the departments keeping the two red lists,
and a few enterprises (setup only: the rules are tested on ``portal.articles`` and ``portal.selections``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, uscc
from testdb import DATABASES, app_database, create_schema, drop_schema, schema_url
from xinyong.auth.context import Context
from xinyong.clock import CHINA_TZ
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject


@dataclasses.dataclass
class Desk:
    """Who acts in the portal tests, and the subjects they act on."""

    office: Context
    officer: Context  # 区市场监管局's officer
    other_officer: Context  # 区司法局's officer
    public: Context
    market: Department
    justice: Department
    sme_department: Department  # 区科工商信局 keeps 诚信示范中小企业
    firms: list[Subject]
    shop: Subject  # an individual business
    person: Subject  # a natural person


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Beijing on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ).astimezone(UTC)


def on(ctx: Context, day: date) -> Context:
    """``ctx`` acting on ``day``."""
    return dataclasses.replace(ctx, at=at(day))


def kgsxj(db: Session) -> Department:
    """区科工商信局 (code ``kgsxj``), added if missing."""
    found = db.scalar(select(Department).where(Department.code == "kgsxj"))
    if found is None:
        found = Department(code="kgsxj", name="广州市番禺区科技工业商务和信息化局", uscc="11440113MB0000009X")
        db.add(found)
        db.flush()
    return found


@pytest.fixture
def desk(ctx: Context, db: Session, departments: tuple[Department, Department]) -> Desk:
    market, justice = departments
    names = ("广州守约制造有限公司", "广州重信贸易有限公司", "广州诚品食品有限公司", "广州履约物流有限公司")
    firms = [company(ctx, name, 8100 + n) for n, name in enumerate(names)]
    shop = register_subject(
        ctx,
        SubjectIn(
            kind="individual_business",
            name="番禺区市桥诚记粉面店",
            uscc=uscc(8199, org_type="2"),
            township_code="440113007",
        ),
    )
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="王守信", ric="11010519491231002X"))
    return Desk(
        office=Context(session=db, actor="office:staff", role="credit_office_staff"),
        officer=Context(session=db, actor="scjgj:officer", role="department_officer", department_id=market.id),
        other_officer=Context(session=db, actor="sfj:officer", role="department_officer", department_id=justice.id),
        public=Context(session=db, actor="public", role="public"),
        market=market,
        justice=justice,
        sme_department=kgsxj(db),
        firms=firms,
        shop=shop,
        person=person,
    )


@pytest.fixture(params=DATABASES)
def portal_cli_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database the CLI's ``session_scope`` uses (SQLite file or PostgreSQL schema); its URL."""
    if request.param == "sqlite":
        with app_database(monkeypatch, f"sqlite:///{tmp_path / 'portal.db'}") as url:
            yield url
        return
    schema = create_schema()
    try:
        with app_database(monkeypatch, schema_url(schema)) as url:
            yield url
    finally:
        drop_schema(schema)
