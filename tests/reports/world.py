"""The test district of the report tests: a company, a second company, a natural person, the departments the
domains name, and helpers that store credit records, lifecycle effects and list entries directly (setup only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

import list_factories
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.lists.models import ListEntry
from xinyong.records.effects import add_effect
from xinyong.records.models import CreditRecord, RecordEffect
from xinyong.subjects.models import Department, Subject


@dataclass
class World:
    """The test district and its helpers."""

    ctx: Context
    firm: Subject
    other: Subject
    person: Subject
    market: Department  # scjgj, domain market_supervision
    justice: Department  # sfj, in no domain
    tax: Department  # swj, domain tax

    @property
    def db(self) -> Session:
        return self.ctx.session

    def subject_ctx(self, subject: Subject) -> Context:
        """The subject's own account."""
        return Context(session=self.db, actor=f"subject:{subject.id}", role="subject", subject_id=subject.id)

    def office_ctx(self) -> Context:
        return Context(session=self.db, actor="office:staff", role="credit_office_staff")

    def record(
        self,
        doc_no: str,
        decided_on: date,
        *,
        department: Department | None = None,
        item_id: str = "penalty",
        subject: Subject | None = None,
        publicity_end: date | None = date(2029, 1, 1),
        data: dict[str, str] | None = None,
        publishable: bool = True,
    ) -> CreditRecord:
        """A stored record of ``subject`` (default the firm)."""
        batch = make_batch(self.db, department or self.market, item_id=item_id)
        values = {"authority": (department or self.market).name, "penalty_category": "罚款", "content": "罚款5000元"}
        record = make_record(
            self.db,
            batch,
            doc_no=doc_no,
            decided_on=decided_on,
            subject=subject or self.firm,
            publicity_end=publicity_end,
            data={**values, **(data or {})},
        )
        record.publishable = publishable
        self.db.flush()
        return record

    def effect(self, record: CreditRecord, kind: str, starts_on: date, ends_on: date | None = None) -> RecordEffect:
        """A lifecycle effect on the record's key."""
        source = {"objection": "objection", "repaired": "repair", "revoked": "revocation"}[kind]
        return add_effect(self.ctx, record, kind, starts_on, source_type=source, source_id=None, ends_on=ends_on)  # type: ignore[arg-type]

    def entry(self, list_code: str, published_on: date, subject: Subject | None = None, **fields: object) -> ListEntry:
        """A list entry in force from ``published_on`` (fields such as removed_on / removal_reason set after)."""
        entry = list_factories.published_entry(self.db, subject or self.firm, list_code, published_on=published_on)
        for key, value in fields.items():
            setattr(entry, key, value)
        self.db.flush()
        return entry
