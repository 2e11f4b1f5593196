"""List membership on a day, and the subjects a code names: the one definition every reader uses (entries,
checks, public pages, reports).

An entry is in force on ``as_of`` when it was published on or before that day, has not reached ``expires_on``
and was not removed on or before that day (design.md, time travel: a function of stored dates, so what the
platform showed on any day can be answered). Expiry needs no job to take effect; ``lists.entries.expire``
only closes expired entries' cases for the record.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from xinyong.auth.pii import lookup_hash, mask_id
from xinyong.codes.check import check_code
from xinyong.codes.result import MESSAGES
from xinyong.errors import InvalidInput
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Subject


def in_force(as_of: date) -> ColumnElement[bool]:
    """SQL: ``ListEntry`` counts on ``as_of``."""
    return and_(
        ListEntry.published_on.is_not(None),
        ListEntry.published_on <= as_of,
        or_(ListEntry.expires_on.is_(None), ListEntry.expires_on > as_of),
        or_(ListEntry.removed_on.is_(None), ListEntry.removed_on > as_of),
    )


def entry_in_force(entry: ListEntry, as_of: date) -> bool:
    """Python twin of ``in_force`` for one loaded entry."""
    return (
        entry.published_on is not None
        and entry.published_on <= as_of
        and (entry.expires_on is None or entry.expires_on > as_of)
        and (entry.removed_on is None or entry.removed_on > as_of)
    )


def entries_in_force(session: Session, subject_ids: list[int], as_of: date) -> list[ListEntry]:
    """The entries of ``subject_ids`` in force on ``as_of``, by list then id."""
    if not subject_ids:
        return []
    stmt = (
        select(ListEntry)
        .where(ListEntry.subject_id.in_(subject_ids), in_force(as_of))
        .order_by(ListEntry.list_code, ListEntry.id)
    )
    return list(session.scalars(stmt))


class CodeLookup:
    """A checked code: its normal form, its kind, what may be stored or shown of it, and the subjects it names."""

    __slots__ = ("code", "kind", "shown", "subject_ids")

    def __init__(self, code: str, kind: str, shown: str, subject_ids: list[int]) -> None:
        self.code = code
        self.kind = kind  # uscc / ric
        self.shown = shown  # a USCC as is; an ID number masked (never stored or logged in clear)
        self.subject_ids = subject_ids


def normal_code(raw: object, as_of: date | None = None, field: str = "code") -> tuple[str, str]:
    """(normal form, kind) of a USCC or a citizen ID number; ``InvalidInput`` naming every problem otherwise."""
    if not isinstance(raw, str):
        raise InvalidInput("代码应为字符串（统一社会信用代码或身份证号码）", field=field)
    result = check_code(raw, "auto", as_of)
    if not result.valid or result.kind == "unknown":
        reasons = "；".join(MESSAGES.get(p, p) for p in result.problems) or "无法识别的代码"
        raise InvalidInput(f"代码“{raw.strip()[:40]}”无效：{reasons}", field=field)
    return (result.converted or result.normalized), result.kind


def lookup_code(session: Session, raw: object, as_of: date | None = None, field: str = "code") -> CodeLookup:
    """Check ``raw`` and find the subjects it names (USCC by column, ID number by its keyed hash)."""
    code, kind = normal_code(raw, as_of, field)
    if kind == "ric":
        column, value, shown = Subject.ric_hash, lookup_hash(code), mask_id(code)
    else:
        column, value, shown = Subject.uscc, code, code
    ids = list(session.scalars(select(Subject.id).where(column == value).order_by(Subject.id)))
    return CodeLookup(code, kind, shown, ids)
