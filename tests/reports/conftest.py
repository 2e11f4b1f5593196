"""Fixtures of the report tests: a signing key of the test's own (never the developer's ``var/keys``) and the
test district (``reports.world``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import factories
import list_factories
from reports.world import World
from xinyong.auth.context import Context
from xinyong.subjects.models import Department
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

EXTRA_DEPARTMENTS = {
    "swj": ("国家税务总局广州市番禺区税务局", "11440113MB0000011X"),
    "sthjfj": ("广州市生态环境局番禺分局", "11440113MB0000012X"),
}


@pytest.fixture(autouse=True)
def report_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test signs with a fresh key in its own directory."""
    path = tmp_path / "keys" / "report-ed25519.pem"
    monkeypatch.setenv("XINYONG_REPORT_KEY_FILE", str(path))
    monkeypatch.setenv("XINYONG_PUBLIC_BASE_URL", "https://credit.panyu.example")
    yield path


@pytest.fixture
def world(ctx: Context) -> World:
    """The test district (the console operator's context ``ctx``)."""
    db = ctx.session
    market, justice = factories.departments(db)
    extra = {code: Department(code=code, name=name, uscc=uscc) for code, (name, uscc) in EXTRA_DEPARTMENTS.items()}
    db.add_all(extra.values())
    db.flush()
    for code in ("rsj", "fgj"):
        list_factories.department(db, code)
    firm = factories.company(ctx, "广州禾丰贸易有限公司", 1)
    other = factories.company(ctx, "广州另一家贸易有限公司", 2)
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="王堃喆", ric=factories.ric()))
    return World(ctx=ctx, firm=firm, other=other, person=person, market=market, justice=justice, tax=extra["swj"])
