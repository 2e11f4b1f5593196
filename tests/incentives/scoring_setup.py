"""Setup data for the personal honesty score tests: natural persons with hand-countable public credit
information (records, list entries, commitments) as of 2026-11-27 under the ``honesty`` model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from factories import company, ric
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.intake.models import IntakeBatch
from xinyong.records import effects
from xinyong.records.models import Commitment, CreditRecord
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

AS_OF = date(2026, 11, 27)
NAMES = (
    "clean",
    "serious",
    "general",
    "capped",
    "repaired",
    "wage",
    "responsible",
    "left_list",
    "kept",
    "minor_old",
    "pending",
    "mixed",
)
# (score, band) by hand: base 650; serious -120 (cap 240), general -40, repaired -10, wage list -200,
# kept commitments +10 each (cap 50), minor penalties only within 12 months.
EXPECTED: dict[str, tuple[int, str]] = {
    "clean": (650, "good"),
    "serious": (530, "poor"),
    "general": (610, "good"),
    "capped": (410, "poor"),
    "repaired": (640, "good"),
    "wage": (450, "poor"),
    "responsible": (450, "poor"),
    "left_list": (650, "good"),
    "kept": (700, "very_good"),
    "minor_old": (650, "good"),
    "pending": (650, "good"),
    "mixed": (570, "fair"),  # general -40, commitment breach -60, two kept +20
}


def person(ctx: Context, n: int, name: str = "") -> Subject:
    """A registered natural person (ID number derived from ``n``)."""
    return register_subject(
        ctx, SubjectIn(kind="natural_person", name=name or f"测试人{n}", ric=ric(seq=f"{n % 1000:03d}"))
    )


def penalty(
    db: Session, batch: IntakeBatch, subject: Subject, doc: str, decided: date, severity: str, **kw: Any
) -> CreditRecord:
    record = make_record(db, batch, doc_no=doc, decided_on=decided, subject=subject, **kw)
    record.severity = severity
    db.flush()
    return record


def kept(db: Session, subject: Subject, department: Department, outcome_on: date, n: int = 1) -> None:
    """``n`` commitments of ``subject`` verified as kept on ``outcome_on`` (setup only)."""
    for _ in range(n):
        db.add(
            Commitment(
                kind="voluntary",
                subject_id=subject.id,
                subject_name=subject.name,
                subject_uscc=None,
                department_id=department.id,
                matter="测试承诺事项",
                text="本人承诺所提交材料真实有效",
                signer_name=subject.name,
                recorded_by="subject",
                signed_on=date(2025, 1, 2),
                status="kept",
                outcome_on=outcome_on,
                rule_version=1,
                created_at=datetime(2025, 1, 2, tzinfo=UTC),
            )
        )
    db.flush()


def build(ctx: Context, departments: tuple[Department, Department]) -> dict[str, Subject]:
    """The persons of ``NAMES`` with their information, and an enterprise with a serious penalty (not scored)."""
    db = ctx.session
    people = {name: person(ctx, 500 + i, f"诚信{name}") for i, name in enumerate(NAMES)}
    penalties = make_batch(db, departments[0])
    breaches = make_batch(db, departments[1], item_id="commitment_breach")
    penalty(db, penalties, people["serious"], "S1", date(2026, 6, 1), "serious")
    penalty(db, penalties, people["general"], "G1", date(2026, 1, 10), "general")
    for n in range(3):
        penalty(db, penalties, people["capped"], f"C{n}", date(2026, 9, 1 + n), "serious", row_no=10 + n)
    repaired = penalty(db, penalties, people["repaired"], "P1", date(2026, 3, 1), "serious")
    effects.add_effect(ctx, repaired, "repaired", date(2026, 11, 1), source_type="repair", source_id=None)
    employer = company(ctx, "广州欠薪测试有限公司", 880)
    parent = published_entry(db, employer)
    published_entry(db, people["wage"])
    published_entry(db, people["responsible"], parent=parent)
    published_entry(db, people["left_list"], expires_on=date(2026, 10, 1))
    kept(db, people["kept"], departments[0], date(2026, 5, 1), n=6)
    kept(db, people["kept"], departments[0], date(2023, 5, 1))  # outside the 24-month window
    penalty(db, penalties, people["minor_old"], "M0", date(2025, 6, 1), "minor")
    penalty(db, penalties, people["pending"], "F1", date(2026, 12, 1), "serious")
    penalty(db, penalties, people["mixed"], "X1", date(2026, 2, 1), "general")
    make_record(db, breaches, doc_no="B1", decided_on=date(2026, 4, 1), subject=people["mixed"])
    kept(db, people["mixed"], departments[0], date(2026, 8, 1), n=2)
    firm = company(ctx, "广州诚信分企业有限公司", 881)
    penalty(db, penalties, firm, "E1", date(2026, 6, 1), "serious")
    people["firm"] = firm
    people["employer"] = employer
    return people
