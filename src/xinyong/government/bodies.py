"""The register of public bodies (机关、事业单位、国有企业) and the unit answerable for each (issue #11).

A body is a registry subject (found by its USCC, or registered as ``government_body`` for an organ or institution
and ``legal_person`` for an SOE) plus its kind and the town or department (``unit_code``, resolved like the
work plan's units: ``workplan.units.unit_kind``) that answers for it: court notices, contracts and the arrears
ledger name a body of this register; ``find_body`` matches by code or by exact (normalised) name and returns None
for anything else, so an unknown body is reported, never guessed.
"""

from __future__ import annotations

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.auth.tokens import clean_text
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.government.models import PublicBody
from xinyong.subjects.models import Subject
from xinyong.subjects.names import normalize_name
from xinyong.subjects.public import parse_uscc
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject
from xinyong.workplan.units import unit_kind, unit_label

MANAGE = "bodies.manage"
READ = "government.read"
BODY_KINDS: dict[str, str] = {"organ": "党政机关", "institution": "事业单位", "soe": "国有企业"}
NAME_MAX = 200


def _subject_kind(kind: str) -> str:
    return "legal_person" if kind == "soe" else "government_body"


def check_unit(code: str, field: str = "unit_code") -> str:
    """A department or township code (not a group), else ``InvalidInput`` in Chinese."""
    value = (code or "").strip()
    if not value:
        raise InvalidInput("请填写责任单位（部门或镇街代码）", field=field)
    if unit_kind(value) not in ("department", "town"):
        raise InvalidInput(f"责任单位代码“{value[:32]}”不是已登记的部门或镇街", field=field)
    return value


def register_body(ctx: Context, name: str, uscc: str, kind: str, unit_code: str) -> PublicBody:
    """Register a public body: link the registry subject holding ``uscc`` (registering one if none does) and name
    the unit that answers for it. A name or code already on the register is refused."""
    require(ctx, MANAGE)
    label = clean_text(name, "name", "单位名称", NAME_MAX)
    code = parse_uscc(uscc)
    if kind not in BODY_KINDS:
        raise InvalidInput(f"单位类别应为：{'、'.join(f'{k}（{v}）' for k, v in BODY_KINDS.items())}", field="kind")
    unit = check_unit(unit_code)
    taken = ctx.session.scalar(select(PublicBody).where((PublicBody.name == label) | (PublicBody.uscc == code)))
    if taken is not None:
        raise Conflict(f"“{taken.name}”（{taken.uscc}）已在公共机构名录中", field="name")
    subject = ctx.session.scalar(select(Subject).where(Subject.uscc == code).order_by(Subject.id).limit(1))
    if subject is None:
        subject = register_subject(
            ctx, SubjectIn(kind=_subject_kind(kind), name=label, uscc=code, source="公共机构名录")
        )
    body = PublicBody(
        subject_id=subject.id,
        name=label,
        uscc=code,
        kind=kind,
        unit_code=unit,
        active=True,
        registered_by=ctx.actor[:128],
        registered_at=ctx.at,
    )
    ctx.session.add(body)
    ctx.session.flush()
    audit.record(ctx, "government.body", "public_body", body.id, {"name": label, "kind": kind, "unit": unit})
    return body


def reassign_body(ctx: Context, body_id: int, unit_code: str) -> PublicBody:
    """Name another answerable unit for a body (e.g. after an institutional reform)."""
    require(ctx, MANAGE)
    body = body_or_404(ctx, body_id)
    unit = check_unit(unit_code)
    if unit == body.unit_code:
        raise Conflict(f"{body.name}的责任单位已是{unit_label(unit)}", field="unit_code")
    before = body.unit_code
    body.unit_code = unit
    ctx.session.flush()
    audit.record(ctx, "government.body_unit", "public_body", body.id, {"from": before, "to": unit})
    return body


def body_or_404(ctx: Context, body_id: int) -> PublicBody:
    """The body with ``body_id``, else ``NotFound``."""
    return fetch_or_404(ctx.session, PublicBody, body_id, f"公共机构 {body_id} 不存在")


def find_body(ctx: Context, name: str = "", uscc: str = "") -> PublicBody | None:
    """The active body with code ``uscc`` (when given), else with exactly the name ``name`` (compared after the
    registry's name normalisation: full-width folded, spaces dropped). None when neither matches."""
    code = (uscc or "").strip().upper()
    if code:
        found = ctx.session.scalar(select(PublicBody).where(PublicBody.uscc == code, PublicBody.active))
        if found is not None or not name:
            return found
    key = normalize_name(name or "")
    if not key:
        return None
    for body in ctx.session.scalars(select(PublicBody).where(PublicBody.active)):
        if normalize_name(body.name) == key:
            return body
    return None


def list_bodies(ctx: Context, unit_code: str | None = None) -> list[PublicBody]:
    """The register, optionally of one answerable unit, by name."""
    require(ctx, READ)
    query = select(PublicBody).order_by(PublicBody.name)
    if unit_code:
        query = query.where(PublicBody.unit_code == unit_code)
    return list(ctx.session.scalars(query))


def body_index(ctx: Context) -> dict[str, PublicBody]:
    """Every active body keyed by its USCC and by its normalised name: one read for a whole import file."""
    index: dict[str, PublicBody] = {}
    for body in ctx.session.scalars(select(PublicBody).where(PublicBody.active)):
        index[body.uscc] = body
        index[normalize_name(body.name)] = body
    return index
