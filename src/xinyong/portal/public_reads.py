"""Public reads of the portal pages that the domain modules do not offer in this shape.

* A subject's public profile beside its 双公示 records: its published commitments and its entries in force on
  the public lists (dishonesty and red), each through the subject's own index.
* The full rows of the public list pages for their CSV / Excel exports (``web.exports``): the same filters,
  permission, order and row shapes (masking included) as the pages' paged reads — ``records.publication``,
  ``lists.entry_queries``, ``records.commitments`` — counted first, then read lazily in chunks while the answer
  streams, without their deep-offset limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.auth.pii import mask_name
from xinyong.catalog.items import DataItem
from xinyong.codes.normalize import normalize_code
from xinyong.db.base import MAX_ID
from xinyong.lists import entry_queries
from xinyong.lists.active import in_force
from xinyong.lists.entry_queries import READ_PUBLIC as LISTS_READ_PUBLIC
from xinyong.lists.entry_schemas import PublicEntry
from xinyong.lists.models import ListEntry
from xinyong.lists.types import ListType, list_catalogue
from xinyong.records import publication
from xinyong.records.commitment_rules import commitment_rules
from xinyong.records.commitment_schemas import STATUS_LABELS as COMMITMENT_STATUS_LABELS
from xinyong.records.commitment_schemas import PublicCommitment
from xinyong.records.commitments import READ_PUBLIC as COMMITMENTS_READ_PUBLIC
from xinyong.records.models import Commitment, CreditRecord
from xinyong.records.schemas import PublicRecordRow
from xinyong.records.status import objected_condition
from xinyong.records.visibility import READ_PUBLIC as RECORDS_READ_PUBLIC
from xinyong.subjects.models import Department, Subject

T = TypeVar("T")
CHUNK = 500  # rows fetched (and, for lists, responsible persons looked up) at a time
SUBJECT_LIMIT = 20


@dataclass(frozen=True)
class Rows(Generic[T]):
    """How many rows an export holds, and a function reading them (called while the answer streams)."""

    total: int
    read: Callable[[], Iterator[T]]


@dataclass(frozen=True)
class SubjectEntry:
    """One entry of a subject on a public list, with its list."""

    list_code: str
    list_name: str
    kind: str
    kind_label: str
    entry: PublicEntry


# --------------------------------------------------------------------------------------------- shared
def _count(session: Session, stmt: Select) -> int:  # type: ignore[type-arg]
    return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def _chunks(session: Session, stmt: Select) -> Iterator[list]:  # type: ignore[type-arg]
    """The rows of ``stmt`` in lists of ``CHUNK`` (a server-side cursor on PostgreSQL)."""
    result = session.execute(stmt.execution_options(yield_per=CHUNK))
    for part in result.partitions(CHUNK):
        yield list(part)


# --------------------------------------------------------------------------------------------- 双公示
def gongshi_rows(ctx: Context, item_id: str, q: str | None = None) -> tuple[DataItem, Rows[PublicRecordRow]]:
    """The records of the 双公示 list of ``item_id`` published today matching ``q``, newest decision first, as
    the list page shows them (``publication.search_public``)."""
    require(ctx, RECORDS_READ_PUBLIC)
    item = publication.public_item(item_id)
    day = ctx.today
    text = publication.clean_query(q)
    stmt = select(CreditRecord, objected_condition(day).label("objected")).where(
        CreditRecord.item_id == item.id, publication.public_condition(day)
    )
    if text:
        stmt = stmt.where(publication.query_condition(text))
    session = ctx.session
    total = _count(session, stmt.with_only_columns(CreditRecord.id))
    ordered = stmt.order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())

    def read() -> Iterator[PublicRecordRow]:
        for part in _chunks(session, ordered):
            for record, objected in part:
                yield publication.public_row(item, record, bool(objected))

    return item, Rows(total, read)


# --------------------------------------------------------------------------------------------- lists
def list_rows(
    ctx: Context, list_code: str, *, as_of: date | None = None, q: str | None = None
) -> tuple[ListType, date, Rows[PublicEntry]]:
    """The subjects on a public list on ``as_of`` (default today) matching ``q``, newest first, as the list page
    shows them (``lists.entry_queries.public_entries``: natural persons masked and not searchable)."""
    require(ctx, LISTS_READ_PUBLIC)
    kind = entry_queries.public_type(list_code)
    day = entry_queries.public_day(ctx, as_of)
    stmt = entry_queries.public_entries_query(kind.code, day, entry_queries.clean_query(q))
    session = ctx.session
    total = _count(session, stmt)
    ordered = stmt.order_by(*entry_queries.PUBLIC_ORDER)

    def read() -> Iterator[PublicEntry]:
        for part in _chunks(session, ordered):
            persons = entry_queries.public_persons(session, [e.id for e, _, _ in part], day)
            for entry, subject, department in part:
                yield entry_queries.public_entry(entry, subject, department, day, persons.get(entry.id, []))

    return kind, day, Rows(total, read)


def subject_list_entries(ctx: Context, subject_id: int) -> list[SubjectEntry]:
    """The subject's entries in force today on the public lists (as the listed subject, not as a responsible
    person), dishonesty lists first, then red lists; newest first within each."""
    require(ctx, LISTS_READ_PUBLIC)
    if not 0 < subject_id <= MAX_ID:
        return []
    types = {t.code: t for t in list_catalogue().types.values() if t.public}
    if not types:
        return []
    day = ctx.today
    rows = ctx.session.execute(
        select(ListEntry, Subject, Department.name)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .join(Department, Department.id == ListEntry.department_id)
        .where(
            ListEntry.subject_id == subject_id,
            ListEntry.parent_id.is_(None),
            ListEntry.list_code.in_(list(types)),
            in_force(day),
        )
        .order_by(*entry_queries.PUBLIC_ORDER)
    ).all()
    persons = entry_queries.public_persons(ctx.session, [e.id for e, _, _ in rows], day)
    found = [
        SubjectEntry(
            list_code=e.list_code,
            list_name=types[e.list_code].name,
            kind=types[e.list_code].kind,
            kind_label=types[e.list_code].kind_label,
            entry=entry_queries.public_entry(e, s, d, day, persons.get(e.id, [])),
        )
        for e, s, d in rows
    ]
    return sorted(found, key=lambda x: x.kind == "red")  # stable: newest first within each group


# --------------------------------------------------------------------------------------------- commitments
def _commitment(c: Commitment, kind: str, department: str, labels: dict[str, str]) -> PublicCommitment:
    return PublicCommitment(
        id=c.id,
        subject_name=mask_name(c.subject_name) if kind == "natural_person" else c.subject_name,
        uscc=None if kind == "natural_person" else c.subject_uscc,
        kind=c.kind,
        kind_label=labels.get(c.kind, c.kind),
        matter=c.matter,
        department_name=department,
        signed_on=c.signed_on,
        status=c.status,
        status_label=COMMITMENT_STATUS_LABELS.get(c.status, c.status),
        outcome_on=c.outcome_on,
    )


def _commitments_stmt() -> Select[tuple[Commitment, str, str]]:
    return (
        select(Commitment, Subject.kind, Department.name)
        .join(Subject, Subject.id == Commitment.subject_id)
        .join(Department, Department.id == Commitment.department_id)
        .where(Commitment.published.is_(True))
    )


def commitment_rows(ctx: Context, q: str | None = None) -> Rows[PublicCommitment]:
    """The published commitments matching ``q``, newest first, as 信用承诺公示 shows them
    (``records.commitments.public_commitments``)."""
    require(ctx, COMMITMENTS_READ_PUBLIC)
    text = publication.clean_query(q)
    stmt = _commitments_stmt()
    if text:
        terms: list[ColumnElement[bool]] = [Commitment.matter.icontains(text, autoescape=True)]
        code = normalize_code(text)
        if publication.USCC_FORMAT.match(code):
            terms.append(Commitment.subject_uscc == code)
        terms.append(and_(Subject.kind != "natural_person", Commitment.subject_name.icontains(text, autoescape=True)))
        stmt = stmt.where(or_(*terms))
    session = ctx.session
    total = _count(session, stmt.with_only_columns(Commitment.id))
    ordered = stmt.order_by(Commitment.signed_on.desc(), Commitment.id.desc())
    labels = commitment_rules().labels

    def read() -> Iterator[PublicCommitment]:
        for part in _chunks(session, ordered):
            for c, kind, department in part:
                yield _commitment(c, kind, department, labels)

    return Rows(total, read)


def subject_commitments(ctx: Context, subject_id: int, limit: int = SUBJECT_LIMIT) -> list[PublicCommitment]:
    """The subject's published commitments, newest first (at most ``limit``)."""
    require(ctx, COMMITMENTS_READ_PUBLIC)
    if not 0 < subject_id <= MAX_ID:
        return []
    labels = commitment_rules().labels
    rows = ctx.session.execute(
        _commitments_stmt()
        .where(Commitment.subject_id == subject_id)
        .order_by(Commitment.signed_on.desc(), Commitment.id.desc())
        .limit(limit)
    ).all()
    return [_commitment(c, kind, department, labels) for c, kind, department in rows]
