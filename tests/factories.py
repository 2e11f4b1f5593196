"""Setup data: valid codes, subjects and departments (setup only; rules are tested on the services)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.codes.ric import ric_check_char
from xinyong.codes.uscc import make_uscc
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject


def uscc(n: int, authority: str = "9", org_type: str = "1", division: str = "440113") -> str:
    """The n-th valid test code (organisation-code body derived from n)."""
    return make_uscc(authority, org_type, division, f"MA{n:06d}")


def ric(birth: str = "19850312", seq: str = "123", division: str = "440113") -> str:
    """A valid resident ID number."""
    first = division + birth + seq
    return first + ric_check_char(first)


def company(ctx: Context, name: str, n: int, *, code: str | None = None, allow_duplicate: bool = False) -> Subject:
    """Register an enterprise legal person in 市桥街道."""
    data = SubjectIn(kind="legal_person", name=name, uscc=code or uscc(n), township_code="440113007")
    return register_subject(ctx, data, allow_duplicate=allow_duplicate)


def market_regulator() -> Department:
    """广州市番禺区市场监督管理局 (code ``scjgj``), not yet added to a session."""
    return Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc="11440113MB0000001X")


def departments(db: Session) -> tuple[Department, Department]:
    """Two departments: 市场监督管理局 (``scjgj``) and 司法局 (``sfj``), flushed."""
    pair = (market_regulator(), Department(code="sfj", name="广州市番禺区司法局", uscc="11440113MB0000002X"))
    db.add_all(pair)
    db.flush()
    return pair
