"""The 双公示 publication rule and the public reads of the 双公示 pages and API.

A record is on the 双公示 pages on ``as_of`` when (``public_condition``):

1. it is the current version: no other row supersedes it (a correction replaces what is shown, also for past
   ``as_of`` dates: corrected content is never shown again);
2. its data item is a 双公示 item (``dual_publicity: true`` in the catalogue) whose item-level sharing is 公开;
3. its publicity status on ``as_of`` (``records.status``) lets the public see it
   (``status.publicly_shown_condition``): 公示中, or 异议中 unless ``Settings.objection_hides_record``. So a
   record is not shown before its decision date, after its effective end (the maximum period of its publicity
   regime, shortened by a later, more favourable regime, ``records.regimes``; for items outside the regimes
   the stated 公示截止期, else the catalogue default, ``records.periods``), once repaired (已修复) or revoked
   (已撤销), nor when its severity is not published (不予公示, e.g. 轻微 under Order 36).

Rows and the detail carry the status label, so a record under objection shows 异议中; the detail's
``publicity_end`` is the end in force on ``as_of``.

A licence whose 当前状态 is 无效 (revoked, cancelled or lapsed) stays published until its publicity ends, with
its state shown among its public fields: the licensing decision was made and published, and its later
invalidity is itself information the public relies on (hiding it would make a revoked licence look like one
that never existed). It drops off when ``publicity_end`` (for licences the 有效期至 unless a 公示截止期 is
stated) passes, like every other record.

The load date is not part of the rule: ``as_of`` asks whether a record's publicity window covers that day,
on today's data. Every public query filters by ``public_condition``, so the lifecycle rules apply in one place.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.codes.normalize import normalize_code
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, NotFound
from xinyong.records.models import CreditRecord
from xinyong.records.schemas import PublicPage, PublicRecord, PublicRecordRow
from xinyong.records.status import STATUS_LABELS, effective_end, objected_condition, publicly_shown_condition
from xinyong.records.visibility import PUBLIC_LEVELS, READ_PUBLIC, display_name, record_fields
from xinyong.subjects.models import SUBJECT_KIND_LABELS

MAX_QUERY = 50
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000  # deep pages of a public list are a scraping pattern, not a reading one: narrow the search
AS_OF_YEARS = (1990, 2100)
USCC_FORMAT = re.compile(r"^[0-9A-Z]{18}$")


# --------------------------------------------------------------------------------------------- the rule
def dual_publicity_item_ids() -> list[str]:
    """Ids of the catalogue's 双公示 items that are public as a whole."""
    return sorted(i.id for i in load_catalog().items.values() if i.dual_publicity and i.sharing == "public")


def current_version() -> ColumnElement[bool]:
    """``CreditRecord`` is the current version of its record: no other row supersedes it."""
    newer = aliased(CreditRecord)
    return ~select(newer.id).where(newer.supersedes_id == CreditRecord.id).exists()


def current_of_key(session: Session, item_id: str, department_id: int, doc_no: str) -> CreditRecord | None:
    """The current version of the record with this natural key (None when there is no such record)."""
    return session.scalar(
        select(CreditRecord)
        .where(
            CreditRecord.item_id == item_id,
            CreditRecord.department_id == department_id,
            CreditRecord.doc_no == doc_no,
            current_version(),
        )
        .order_by(CreditRecord.id.desc())
        .limit(1)
    )


def public_condition(as_of: date) -> ColumnElement[bool]:
    """SQL condition: ``CreditRecord`` is on the 双公示 pages on ``as_of`` (see the module docstring)."""
    items = dual_publicity_item_ids()
    if not items:
        return false()
    return and_(CreditRecord.item_id.in_(items), current_version(), publicly_shown_condition(as_of))


# --------------------------------------------------------------------------------------------- inputs
def public_item(item_id: str) -> DataItem:
    """The 双公示 data item ``item_id``; ``NotFound`` for an unknown item or one that is not published."""
    try:
        item = load_catalog().item(item_id)
    except UnknownItem:
        raise NotFound("没有该双公示数据项", field="item_id") from None
    if not item.dual_publicity or item.sharing != "public":
        raise NotFound("该数据项不在双公示范围内", field="item_id")
    return item


def check_as_of(ctx: Context, as_of: date | None) -> date:
    """``as_of`` (default: today in China) within the years the platform can answer for."""
    day = as_of or ctx.today
    if not AS_OF_YEARS[0] <= day.year <= AS_OF_YEARS[1]:
        raise InvalidInput(f"查询日期应在 {AS_OF_YEARS[0]} 年至 {AS_OF_YEARS[1]} 年之间", field="as_of")
    return day


def check_page(offset: int, limit: int, max_offset: int = MAX_OFFSET) -> None:
    """Paging bounds, with Chinese messages."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_LIMIT} 之间", field="limit")
    if offset < 0:
        raise InvalidInput("分页位置不能为负数", field="offset")
    if offset > max_offset:
        raise InvalidInput(f"分页位置过大（最多 {max_offset}），请缩小查询范围", field="offset")


def clean_query(q: str | None) -> str | None:
    """The search text stripped; None when blank. ``InvalidInput`` when too long or holding control characters."""
    if q is None:
        return None
    text = q.strip()
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"查询词过长（最多 {MAX_QUERY} 字）", field="q")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInput("查询词含有不可见的控制字符", field="q")
    return text or None


def query_condition(text: str) -> ColumnElement[bool]:
    """What a public search matches: an exact USCC, an exact document number, or a fragment of the name of a
    subject that is not a natural person (natural persons are never found by name by the public)."""
    terms: list[ColumnElement[bool]] = [CreditRecord.doc_no == text]
    code = normalize_code(text)
    if USCC_FORMAT.match(code):
        terms.append(CreditRecord.subject_uscc == code)
    terms.append(
        and_(
            CreditRecord.subject_kind != "natural_person",
            CreditRecord.subject_name.icontains(text, autoescape=True),
        )
    )
    return or_(*terms)


# --------------------------------------------------------------------------------------------- output
def _role_value(item: DataItem, record: CreditRecord, role: str | None) -> str | None:
    """The stored value of the field playing ``role`` when that field is public (None otherwise)."""
    if not role or item.field(role).sharing not in PUBLIC_LEVELS:
        return None
    value = (record.data or {}).get(role)
    return str(value) if value not in (None, "") else None


def _public_uscc(item: DataItem, record: CreditRecord) -> str | None:
    role = item.roles.uscc
    return record.subject_uscc if role and item.field(role).sharing in PUBLIC_LEVELS else None


def _public_doc_no(item: DataItem, record: CreditRecord) -> str | None:
    return record.doc_no if item.field(item.roles.document).sharing in PUBLIC_LEVELS else None


def _status(objected: bool) -> dict[str, str]:
    code = "objected" if objected else "published"
    return {"status": code, "status_label": STATUS_LABELS[code]}


def public_row(item: DataItem, record: CreditRecord, objected: bool = False) -> PublicRecordRow:
    """A list row: public columns only, a natural person's name masked, the status (公示中 / 异议中)."""
    category_role = item.roles.category
    public_category = category_role and item.field(category_role).sharing in PUBLIC_LEVELS
    return PublicRecordRow(
        id=record.id,
        item_id=item.id,
        subject_name=display_name(record, unmask_personal=False),
        subject_kind=record.subject_kind,
        subject_kind_label=SUBJECT_KIND_LABELS.get(record.subject_kind, record.subject_kind),
        uscc=_public_uscc(item, record),
        doc_no=_public_doc_no(item, record),
        category=record.category if public_category else None,
        decided_on=record.decided_on,
        authority=_role_value(item, record, item.roles.authority),
        **_status(objected),
    )


# --------------------------------------------------------------------------------------------- reads
def _base(item: DataItem, as_of: date) -> Select[tuple[CreditRecord, bool]]:
    """Public records of ``item`` on ``as_of`` with whether an objection is open (异议中)."""
    return select(CreditRecord, objected_condition(as_of).label("objected")).where(
        CreditRecord.item_id == item.id, public_condition(as_of)
    )


def search_public(
    ctx: Context,
    item_id: str,
    *,
    q: str | None = None,
    as_of: date | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> PublicPage:
    """One page of the 双公示 list of ``item_id`` on ``as_of`` (default today), newest decision first.

    ``q``: an exact USCC, an exact document number, or a fragment of a non-natural-person subject's name.
    """
    require(ctx, READ_PUBLIC)
    item = public_item(item_id)
    day = check_as_of(ctx, as_of)
    check_page(offset, limit)
    text = clean_query(q)
    stmt = _base(item, day)
    if text:
        stmt = stmt.where(query_condition(text))
    session = ctx.session
    # Count no further than the deepest reachable page: an exact count of every public record took seconds per
    # request at 5,000,000 records (docs/benchmarks.md, portal) and no reader can page past MAX_OFFSET anyway. The
    # capped count walks the decision-date index newest first, as the page does: public records are the recent
    # ones, so it stops after about ``cap`` rows instead of first stepping over every expired one (oldest first,
    # 0.78 → 0.16 s at 600,000 records on SQLite; the difference grows with the history).
    cap = MAX_OFFSET + limit + 1
    newest_first = (CreditRecord.decided_on.desc(), CreditRecord.id.desc())
    counted = stmt.with_only_columns(CreditRecord.id).order_by(*newest_first).limit(cap).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    rows = session.execute(stmt.order_by(*newest_first).offset(offset).limit(limit)).all()
    return PublicPage(
        item_id=item.id,
        item_name=item.name,
        as_of=day,
        q=text,
        total=min(total, cap - 1),
        total_capped=total >= cap,
        offset=offset,
        limit=limit,
        items=[public_row(item, r, bool(objected)) for r, objected in rows],
    )


def public_detail(ctx: Context, item_id: str, record_id: int, as_of: date | None = None) -> PublicRecord:
    """One record as published on ``as_of``: ``NotFound`` when it is not public that day (superseded,
    publicity ended, decided later, or not a 双公示 item)."""
    require(ctx, READ_PUBLIC)
    item = public_item(item_id)
    day = check_as_of(ctx, as_of)
    found = None
    if 0 < record_id <= MAX_ID:
        found = ctx.session.execute(_base(item, day).where(CreditRecord.id == record_id)).first()
    if found is None:
        raise NotFound("未找到该公示信息，或其已不在公示期内", field="record_id")
    record, objected = found
    return PublicRecord(
        id=record.id,
        item_id=item.id,
        item_name=item.name,
        subject_name=display_name(record, unmask_personal=False),
        subject_kind=record.subject_kind,
        subject_kind_label=SUBJECT_KIND_LABELS.get(record.subject_kind, record.subject_kind),
        uscc=_public_uscc(item, record),
        doc_no=_public_doc_no(item, record),
        decided_on=record.decided_on,
        publicity_end=effective_end(record, day),
        **_status(bool(objected)),
        as_of=day,
        fields=record_fields(item, record, PUBLIC_LEVELS, unmask_personal=False),
    )


def public_records_of_subject(
    ctx: Context, subject_id: int, *, as_of: date | None = None, limit: int = DEFAULT_LIMIT
) -> list[PublicRecordRow]:
    """A registered subject's records published on ``as_of`` across every 双公示 item, newest decision first
    (for the public subject page). Natural persons' records are never listed by subject."""
    require(ctx, READ_PUBLIC)
    day = check_as_of(ctx, as_of)
    check_page(0, limit)
    if not 0 < subject_id <= MAX_ID:
        return []
    catalog = load_catalog()
    # By id through the subject index: with many records of unknown subjects (subject_id NULL) SQLite's planner
    # otherwise prefers the (item_id, decided_on) index and scans the whole table (the portal benchmark).
    own = select(CreditRecord.id).where(CreditRecord.subject_id == subject_id).scalar_subquery()
    rows = ctx.session.execute(
        select(CreditRecord, objected_condition(day).label("objected"))
        .where(
            CreditRecord.id.in_(own),
            CreditRecord.subject_kind != "natural_person",
            public_condition(day),
        )
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
        .limit(limit)
    ).all()
    return [public_row(catalog.item(r.item_id), r, bool(objected)) for r, objected in rows]
