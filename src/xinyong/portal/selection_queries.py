"""Read side of the honest-enterprise selections: the public lists and pages (rules while open, winners once
published, natural persons never shown) and the office's and nominating departments' view with nominations
(non-public: the read is audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, false, func, select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.errors import InvalidInput
from xinyong.lists.models import ListEntry
from xinyong.lists.types import LIST_KINDS, ListType
from xinyong.portal.models import Nomination, Selection
from xinyong.portal.rules import portal_rules
from xinyong.portal.schemas import NominationOut, PublicSelection, SelectionCard, SelectionDetail, Winner
from xinyong.portal.selections import (
    MANAGE,
    NOMINATE,
    accepting,
    get_selection,
    nomination_status_label,
    problems,
    red_list,
    status_label,
)
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Department, Subject

READ = "portal.read"


def _counts(ctx: Context, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Selection id → (nominations, published winners)."""
    if not ids:
        return {}
    rows = ctx.session.execute(
        select(
            Nomination.selection_id,
            func.count(),
            func.sum(case((Nomination.status == "published", 1), else_=0)),
        )
        .where(Nomination.selection_id.in_(list(ids)))
        .group_by(Nomination.selection_id)
    )
    return {int(s): (int(n), int(w or 0)) for s, n, w in rows}


def _list_name(code: str) -> str:
    try:
        return red_list(code).name
    except InvalidInput:  # a list type removed from the rules since: show its code
        return code


def _card(s: Selection, counts: dict[int, tuple[int, int]], as_of: date) -> SelectionCard:
    nominated, won = counts.get(s.id, (0, 0))
    return SelectionCard(
        id=s.id,
        list_code=s.list_code,
        list_name=_list_name(s.list_code),
        year=s.year,
        title=s.title,
        status=s.status,
        status_label=status_label(s, as_of),
        closes_on=s.closes_on,
        accepting=accepting(s, as_of),
        published_on=s.published_on,
        nominations=nominated,
        winners=won,
    )


def _cards(ctx: Context, rows: Sequence[Selection]) -> list[SelectionCard]:
    counts = _counts(ctx, [s.id for s in rows])
    return [_card(s, counts, ctx.today) for s in rows]


def _all(ctx: Context) -> list[Selection]:
    return list(ctx.session.scalars(select(Selection).order_by(Selection.year.desc(), Selection.id.desc())))


def public_selections(ctx: Context) -> list[SelectionCard]:
    """Every selection, newest year first: open ones with their closing day, published ones with their winners."""
    require(ctx, READ)
    return _cards(ctx, _all(ctx))


def eligibility_text(kind: ListType) -> list[str]:
    """The eligibility rules of a selection for ``kind``, as the public reads them."""
    rules = portal_rules().selections
    lines = ["推荐对象：" + "、".join(SUBJECT_KIND_LABELS.get(k, k) for k in kind.subject_kinds)]
    if rules.exclude_list_kinds:
        kinds = "、".join(LIST_KINDS[k] for k in rules.exclude_list_kinds)
        lines.append(f"不在{kinds}（如严重失信主体名单、经营异常名录）上")
    if rules.exclude_public_penalties:
        lines.append("没有处于公示期内的行政处罚")
    lines.append(f"目前不在“{kind.name}”上；同一主体每次评选只能被推荐一次")
    lines.append("推荐时、评审通过时和公布时各核查一次")
    return lines


def _winners(ctx: Context, selection: Selection) -> list[Winner]:
    rows = ctx.session.execute(
        select(Nomination, Subject, ListEntry)
        .join(Subject, Subject.id == Nomination.subject_id)
        .outerjoin(ListEntry, ListEntry.id == Nomination.list_entry_id)
        .where(
            Nomination.selection_id == selection.id,
            Nomination.status == "published",
            Subject.kind != "natural_person",
        )
        .order_by(Nomination.id)
    ).all()
    return [
        Winner(
            subject_name=s.name,
            uscc=s.uscc,
            subject_kind_label=SUBJECT_KIND_LABELS.get(s.kind, s.kind),
            list_entry_id=e.id if e else None,
            listed_from=e.published_on if e else None,
            expires_on=e.expires_on if e else None,
        )
        for _, s, e in rows
    ]


def _public(ctx: Context, selection: Selection) -> PublicSelection:
    kind = red_list(selection.list_code)
    counts = _counts(ctx, [selection.id])
    card = _card(selection, counts, ctx.today)
    rules = portal_rules().selections
    months = kind.duration.months
    return PublicSelection(
        **card.model_dump(),
        description=selection.description,
        organisers=rules.organisers.get(kind.code, ""),
        criteria=list(kind.criteria),
        legal_basis=[f"{b.document}{b.article}" for b in kind.legal_basis],
        eligibility=eligibility_text(kind),
        duration=f"列入“{kind.name}”{months} 个月（自公布之日起）" if months else f"列入“{kind.name}”，无固定期限",
        decision_doc_no=selection.decision_doc_no,
        winners_list=_winners(ctx, selection) if selection.status == "published" else [],
        list_url=f"/lists/public/{kind.code}",
    )


def public_selection(ctx: Context, selection_id: int) -> PublicSelection:
    """A selection's rules, and its winners once published (nominees are not public before)."""
    require(ctx, READ)
    return _public(ctx, get_selection(ctx, selection_id))


# --------------------------------------------------------------------------------------------- staff
def office_selections(ctx: Context) -> list[SelectionCard]:
    """Every selection with its counts (the office and the nominating departments)."""
    require(ctx, NOMINATE)
    return _cards(ctx, _all(ctx))


def _nominations(ctx: Context, selection: Selection) -> list[NominationOut]:
    stmt = (
        select(Nomination, Subject, Department.name)
        .join(Subject, Subject.id == Nomination.subject_id)
        .outerjoin(Department, Department.id == Nomination.department_id)
        .where(Nomination.selection_id == selection.id)
        .order_by(Nomination.id)
    )
    if not allowed(ctx.role, MANAGE):
        own = Nomination.department_id == ctx.department_id if ctx.department_id else false()
        stmt = stmt.where(own)
    kind = red_list(selection.list_code)
    out = []
    for n, s, department in ctx.session.execute(stmt).all():
        out.append(
            NominationOut(
                id=n.id,
                selection_id=n.selection_id,
                subject_id=s.id,
                subject_name=s.name,
                uscc=s.uscc,
                subject_kind_label=SUBJECT_KIND_LABELS.get(s.kind, s.kind),
                department_name=department or "区信用办",
                nominated_by=n.nominated_by,
                reason=n.reason,
                status=n.status,
                status_label=nomination_status_label(n),
                review_note=n.review_note,
                reviewed_by=n.reviewed_by,
                reviewed_at=n.reviewed_at,
                list_entry_id=n.list_entry_id,
                created_at=n.created_at,
                lock_version=n.lock_version,
                problems=[] if n.status in ("published", "rejected") else problems(ctx, kind, s, ctx.today),
            )
        )
    return out


def selection_detail(ctx: Context, selection_id: int) -> SelectionDetail:
    """A selection with its nominations: all of them for the office, a department's own for its officers
    (each with today's eligibility problems). The read is audited."""
    require(ctx, NOMINATE)
    selection = get_selection(ctx, selection_id)
    nominations = _nominations(ctx, selection)
    audit.record_read(ctx, "honest_selection", selection.id, {"nominations": len(nominations)})
    return SelectionDetail(
        **_public(ctx, selection).model_dump(),
        lock_version=selection.lock_version,
        created_by=selection.created_by,
        published_by=selection.published_by,
        nominations_list=nominations,
    )
