"""Setup data for the campaign tests (issue #11 item 6): penalty records of subjects, written directly as intake
would store them (setup only; the rules are tested on ``xinyong.campaigns``)."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.campaigns import service
from xinyong.campaigns.schemas import CampaignIn
from xinyong.intake.models import IntakeBatch
from xinyong.records import effects
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject

AS_OF = date(2026, 11, 27)
_DOC = count(1)


def department(db: Session, code: str, name: str, n: int) -> Department:
    """The department ``code`` (added once)."""
    found = db.scalar(select(Department).where(Department.code == code))
    if found is None:
        found = Department(code=code, name=name, uscc=f"11440113MB00000{n:02d}X")
        db.add(found)
        db.flush()
    return found


def market(db: Session) -> Department:
    """区市场监管局 (scjgj)."""
    return department(db, "scjgj", "广州市番禺区市场监督管理局", 1)


def environment(db: Session) -> Department:
    """区生态环境分局 (sthjfj)."""
    return department(db, "sthjfj", "广州市番禺区生态环境分局", 3)


def batch(db: Session, dept: Department) -> IntakeBatch:
    """A penalty batch of ``dept``."""
    return make_batch(db, dept, item_id="penalty")


def firm(ctx: Context, n: int) -> Subject:
    """The n-th test enterprise."""
    return company(ctx, f"广州测试{n}号贸易有限公司", 700 + n)


def penalty(
    db: Session,
    b: IntakeBatch,
    subject: Subject,
    decided_on: date,
    category: str = "罚款",
    *,
    supersedes: CreditRecord | None = None,
) -> CreditRecord:
    """One penalty of ``subject`` (a new version of ``supersedes`` when given)."""
    doc = supersedes.doc_no if supersedes else f"罚-{next(_DOC)}"
    return make_record(
        db, b, doc_no=doc, decided_on=decided_on, subject=subject, category=category, supersedes=supersedes
    )


def penalties(db: Session, b: IntakeBatch, subject: Subject, days: list[date], category: str = "罚款") -> list:
    """Several penalties of ``subject``."""
    return [penalty(db, b, subject, d, category) for d in days]


def revoke(ctx: Context, record: CreditRecord, on: date) -> None:
    """A revocation of ``record`` effective ``on``."""
    effects.add_effect(ctx, record, "revoked", on, source_type="revocation", source_id=None, reason="测试撤销")


def repair(ctx: Context, record: CreditRecord, on: date) -> None:
    """A credit repair of ``record`` effective ``on``."""
    effects.add_effect(ctx, record, "repaired", on, source_type="repair", source_id=None, reason="测试修复")


def campaign(ctx: Context, code: str = "ZXZL-2026-01", **kw: object) -> int:
    """A campaign led by the market regulator with the environment branch taking part; its id."""
    data = {
        "code": code,
        "name": "重点领域诚信缺失突出问题专项治理",
        "sectors": ["epidemic_supplies", "environment"],
        "lead_unit": "scjgj",
        "units": ["sthjfj", "440113007"],
        "starts_on": date(2026, 11, 1),
        "ends_on": date(2026, 12, 31),
        "goal": "排查整治重点领域失信问题",
    } | kw
    return service.create_campaign(ctx, CampaignIn.model_validate(data)).id
