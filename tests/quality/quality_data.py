"""Hand-built October 2026 data with known answers for the scorecard tests (setup only).

Department 司法局 (``sfj``, 7 working days) reports ten new penalty records in October 2026, three of them
late by working days across 国庆 2026-10-01..07 (10-10 is a make-up working day, 10-11 a Sunday); 市场监管局
(``scjgj``, 20 working days) reports one record that would be late under the 7-day rule but is on time under
its 20-day rule. Validity, corrections and omissions use separate document numbers (see the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from records_factories import make_batch, make_record, make_rejected_row
from xinyong.intake.models import IntakeBatch
from xinyong.quality.models import ReferenceDecision
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department

FULL = {"uscc": "91440113MA000001X0", "fine_amount": "0.500000", "publicity_end": "2029-10-01"}

# (decided_on, reported_on, late?) for sfj: deadlines 09-30 → 10-15, 10-09 → 10-19, 10-12 → 10-21.
SFJ_TIMELINESS: list[tuple[date, date, bool]] = [
    (date(2026, 9, 30), date(2026, 10, 14), False),
    (date(2026, 9, 30), date(2026, 10, 15), False),
    (date(2026, 9, 30), date(2026, 10, 16), True),
    (date(2026, 10, 9), date(2026, 10, 19), False),
    (date(2026, 10, 9), date(2026, 10, 20), True),
    (date(2026, 10, 12), date(2026, 10, 12), False),
    (date(2026, 10, 12), date(2026, 10, 21), False),
    (date(2026, 10, 12), date(2026, 10, 22), True),
    (date(2026, 10, 20), date(2026, 10, 22), False),
    (date(2026, 10, 20), date(2026, 10, 23), False),
]


@dataclass
class Batches:
    """One batch per (department, day), created on demand."""

    db: Session
    item_id: str = "penalty"

    def __post_init__(self) -> None:
        self._made: dict[tuple[int, date], IntakeBatch] = {}

    def on(self, department: Department, day: date, *, rows: int = 0) -> IntakeBatch:
        key = (department.id, day)
        if key not in self._made:
            self._made[key] = make_batch(self.db, department, item_id=self.item_id, submitted_on=day)
        batch = self._made[key]
        batch.rows += rows
        return batch

    def fresh(self, department: Department, day: date) -> IntakeBatch:
        """A new batch on ``day`` (a second submission on the same day)."""
        return make_batch(self.db, department, item_id=self.item_id, submitted_on=day)


def record(
    batches: Batches,
    department: Department,
    doc_no: str,
    decided_on: date,
    reported_on: date,
    *,
    data: dict[str, Any] | None = None,
    batch: IntakeBatch | None = None,
    supersedes: CreditRecord | None = None,
) -> CreditRecord:
    """A stored record version reported on ``reported_on`` (``data`` defaults to every expected field)."""
    target = batch or batches.on(department, reported_on, rows=1)
    return make_record(
        batches.db,
        target,
        doc_no=doc_no,
        decided_on=decided_on,
        data=FULL if data is None else data,
        supersedes=supersedes,
    )


def rejected(
    batches: Batches,
    department: Department,
    doc_no: str | None,
    day: date,
    *,
    valid: bool = False,
    batch: IntakeBatch | None = None,
) -> None:
    """A rejected row (``valid`` = held only because the batch was all-or-nothing)."""
    target = batch or batches.on(department, day, rows=1)
    row = make_rejected_row(batches.db, target, row_no=1, doc_no=doc_no)
    row.valid = valid
    batches.db.flush()


def reference(db: Session, department: Department, doc_no: str, decided_on: date, item_id: str = "penalty") -> None:
    """A reference decision of ``department``."""
    db.add(
        ReferenceDecision(
            item_id=item_id,
            department_id=department.id,
            doc_no=doc_no,
            decided_on=decided_on,
            subject_name="",
            list_name="测试台账",
            uploaded_by="test",
            uploaded_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    )
    db.flush()


def timeliness_data(batches: Batches, sfj: Department, scjgj: Department) -> None:
    """The ten sfj records of SFJ_TIMELINESS and one scjgj record on time under its 20-day rule."""
    for i, (decided, reported, _) in enumerate(SFJ_TIMELINESS, 1):
        record(batches, sfj, f"番司罚〔2026〕{i}号", decided, reported)
    # 2026-09-30 + 20 working days = 2026-11-03; under the 7-day rule it would be late (10-15).
    record(batches, scjgj, "番市监罚〔2026〕1号", date(2026, 9, 30), date(2026, 10, 30))
