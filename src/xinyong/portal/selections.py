"""Honest-enterprise selections (评选: 守合同重信用企业、诚信示范中小企业; work-plan item 十七) feeding the red lists.

The credit office (``selections.manage``) opens a round for a red list (``rules/lists/*.yaml`` with ``kind: red``),
a year and a closing day. Until that day (inclusive) the departments' officers and the office
(``selections.nominate``) nominate subjects with a reason. After it the office reviews each nomination (approve or
reject with a note) and publishes the round: every approved nominee is put on the red list through the lists'
own action layer (``lists.entries``: propose → decide → publish, the red path), all in one savepoint — if one
fails nothing is listed and the error names the nominee. Nominations keep their entry's id.

Eligibility (``problems``) is checked at nomination, at approval and at publication: the subject kind the list
admits, no entry in force on a list of the kinds ``rules/portal.yaml`` excludes (dishonesty and received lists),
no 行政处罚 in publicity on the day (``records.publication.public_condition``), not already on (or proposed for)
the red list. A subject is nominated once per round (unique constraint → 409 naming the earlier nomination).
Every change appends one audit event; nothing here commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.items import load_catalog
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound, XinyongError
from xinyong.lists import entries
from xinyong.lists.active import entries_in_force
from xinyong.lists.types import ListType, list_catalogue
from xinyong.portal.models import NOMINATION_STATUSES, SELECTION_STATUSES, Nomination, Selection
from xinyong.portal.rules import portal_rules
from xinyong.records import cases
from xinyong.records.models import CreditRecord
from xinyong.records.publication import public_condition
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Subject

MANAGE = "selections.manage"
NOMINATE = "selections.nominate"
LABEL = "该评选"
NOMINATION_LABEL = "该推荐"
DESCRIPTION_MAX = 4000
DOC_NO_MAX = 64
YEARS_AHEAD = 1
YEARS_BACK = 1
SHOWN_RECORDS = 3


# --------------------------------------------------------------------------------------------- helpers
def red_list(code: str) -> ListType:
    """The red list ``code``; ``InvalidInput`` naming the red lists otherwise."""
    catalogue = list_catalogue()
    found = catalogue.types.get((code or "").strip())
    if found is None or found.kind != "red":
        reds = "、".join(f"{t.code}（{t.name}）" for t in catalogue.types.values() if t.kind == "red")
        raise InvalidInput(f"评选只能对应红名单：{reds}", field="list_code")
    return found


def get_selection(ctx: Context, selection_id: int) -> Selection:
    """The selection ``selection_id``; ``NotFound`` otherwise (no permission check)."""
    found = fetch(ctx.session, Selection, selection_id) if isinstance(selection_id, int) else None
    if found is None:
        raise NotFound(f"评选 {selection_id} 不存在", field="selection_id")
    return found


def get_nomination(ctx: Context, nomination_id: int) -> Nomination:
    """The nomination ``nomination_id``; ``NotFound`` otherwise (no permission check)."""
    found = fetch(ctx.session, Nomination, nomination_id) if isinstance(nomination_id, int) else None
    if found is None:
        raise NotFound(f"推荐 {nomination_id} 不存在", field="nomination_id")
    return found


def accepting(selection: Selection, as_of: date) -> bool:
    """Whether nominations are still taken on ``as_of`` (open and not past the closing day)."""
    return selection.status == "open" and as_of <= selection.closes_on


def status_label(selection: Selection, as_of: date) -> str:
    """推荐中 until the closing day, then 评审中 until published."""
    if selection.status == "open" and as_of > selection.closes_on:
        return SELECTION_STATUSES["reviewing"]
    return SELECTION_STATUSES.get(selection.status, selection.status)


def _subject(ctx: Context, subject_id: int) -> Subject:
    found = fetch(ctx.session, Subject, subject_id) if isinstance(subject_id, int) else None
    if found is None:
        raise NotFound(f"主体 {subject_id} 不存在，请先在主体库中查找", field="subject_id")
    return found


def _penalty_items() -> list[str]:
    """双公示 items that are 失信 (negative) information: the 行政处罚 item."""
    return sorted(i.id for i in load_catalog().items.values() if i.dual_publicity and i.negative)


def problems(ctx: Context, kind: ListType, subject: Subject, as_of: date) -> list[str]:
    """Why ``subject`` may not be selected for ``kind`` on ``as_of`` (empty: eligible)."""
    rules = portal_rules().selections
    found: list[str] = []
    if subject.kind not in kind.subject_kinds:
        allowed = "、".join(SUBJECT_KIND_LABELS.get(k, k) for k in kind.subject_kinds)
        found.append(f"“{kind.name}”只评选{allowed}，该主体是{SUBJECT_KIND_LABELS.get(subject.kind, subject.kind)}")
    excluded = set(rules.exclude_list_kinds)
    catalogue = list_catalogue().types
    for entry in entries_in_force(ctx.session, [subject.id], as_of):
        if entry.kind in excluded:
            name = catalogue[entry.list_code].name if entry.list_code in catalogue else entry.list_code
            since = entry.published_on.isoformat() if entry.published_on else "—"
            found.append(f"在“{name}”上（自 {since} 起，名单条目 {entry.id}）")
    if rules.exclude_public_penalties:
        items = _penalty_items()
        if items:
            stmt = (
                select(CreditRecord.doc_no, CreditRecord.decided_on)
                .where(CreditRecord.subject_id == subject.id, CreditRecord.item_id.in_(items), public_condition(as_of))
                .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
            )
            rows = ctx.session.execute(stmt.limit(SHOWN_RECORDS)).all()
            if rows:
                total = ctx.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
                shown = "、".join(f"{doc}（{day.isoformat()}）" for doc, day in rows)
                found.append(f"有 {total} 条行政处罚在公示期内：{shown}")
    existing = entries.open_entry(ctx, kind.code, subject.id)
    if existing is not None:
        found.append(f"已在（或已拟列入）“{kind.name}”（名单条目 {existing.id}，{entries.status_label(existing)}）")
    return found


def _refuse(subject: Subject, kind: ListType, found: list[str], action: str) -> InvalidInput:
    return InvalidInput(
        f"“{subject.name}”不符合“{kind.name}”评选条件，不能{action}：" + "；".join(found), field="subject_id"
    )


def _detail(selection: Selection, **extra: object) -> dict[str, object]:
    return {"list_code": selection.list_code, "year": selection.year, "status": selection.status, **extra}


# --------------------------------------------------------------------------------------------- open
def open_selection(
    ctx: Context, list_code: str, year: int, title: str, closes_on: date, description: str = ""
) -> Selection:
    """A new round for a red list; one open round per list and year (409 naming it)."""
    require(ctx, MANAGE)
    kind = red_list(list_code)
    if not isinstance(year, int) or not ctx.today.year - YEARS_BACK <= year <= ctx.today.year + YEARS_AHEAD:
        raise InvalidInput(
            f"评选年度应在 {ctx.today.year - YEARS_BACK} 至 {ctx.today.year + YEARS_AHEAD} 年之间", field="year"
        )
    title = cases.clean_text(title, "评选名称", "title", max_len=portal_rules().limits.title_max, min_len=1)
    description = cases.clean_text(description, "评选通知", "description", max_len=DESCRIPTION_MAX)
    if not isinstance(closes_on, date):
        raise InvalidInput("推荐截止日应为日期（年-月-日）", field="closes_on")
    if closes_on < ctx.today:
        raise InvalidInput(
            f"推荐截止日（{closes_on.isoformat()}）不能早于今天（{ctx.today.isoformat()}）", field="closes_on"
        )
    same = ctx.session.scalar(
        select(Selection).where(
            Selection.list_code == kind.code, Selection.year == year, Selection.status != "published"
        )
    )
    if same is not None:
        raise Conflict(
            f"{year} 年度“{kind.name}”已有未公布的评选（编号 {same.id}“{same.title}”），请在该评选中继续办理",
            code="duplicate_selection",
        )
    selection = Selection(
        list_code=kind.code,
        year=year,
        title=title,
        description=description,
        status="open",
        closes_on=closes_on,
        created_by=ctx.actor,
        created_at=ctx.at,
        published_on=None,
        decision_doc_no="",
        published_by="",
    )
    ctx.session.add(selection)
    ctx.session.flush()
    audit.record(
        ctx, "selections.open", "honest_selection", selection.id, _detail(selection, closes_on=closes_on.isoformat())
    )
    return selection


# --------------------------------------------------------------------------------------------- nominate
def _duplicate(selection: Selection, earlier: Nomination) -> Conflict:
    return Conflict(
        f"该主体已在本次评选中被推荐（推荐 {earlier.id}，{earlier.nominated_by}），同一主体只能推荐一次",
        code="duplicate_nomination",
    )


def nominate(ctx: Context, selection_id: int, subject_id: int, reason: str) -> Nomination:
    """A subject nominated until the closing day (409 after it, or when nominated before; 422 with every reason
    when it is not eligible)."""
    require(ctx, NOMINATE)
    selection = get_selection(ctx, selection_id)
    if not accepting(selection, ctx.today):
        when = f"已于 {selection.closes_on.isoformat()} 截止" if selection.status == "open" else "已公布结果"
        raise Conflict(f"“{selection.title}”的推荐{when}，不再接受推荐", code="selection_closed")
    kind = red_list(selection.list_code)
    subject = _subject(ctx, subject_id)
    limits = portal_rules().limits
    reason = cases.clean_text(reason, "推荐理由", "reason", max_len=limits.reason_max, min_len=limits.reason_min)
    earlier = ctx.session.scalar(
        select(Nomination).where(Nomination.selection_id == selection.id, Nomination.subject_id == subject.id)
    )
    if earlier is not None:
        raise _duplicate(selection, earlier)
    found = problems(ctx, kind, subject, ctx.today)
    if found:
        raise _refuse(subject, kind, found, "推荐")
    nomination = Nomination(
        selection_id=selection.id,
        subject_id=subject.id,
        department_id=ctx.department_id if ctx.role == "department_officer" else None,
        nominated_by=ctx.actor,
        reason=reason,
        status="nominated",
        review_note="",
        reviewed_by="",
        reviewed_at=None,
        list_entry_id=None,
        created_at=ctx.at,
    )
    savepoint = ctx.session.begin_nested()
    try:
        ctx.session.add(nomination)
        ctx.session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise Conflict("该主体刚被他人推荐，同一主体只能推荐一次，请刷新后查看", code="duplicate_nomination") from None
    savepoint.commit()
    audit.record(
        ctx,
        "selections.nominate",
        "honest_nomination",
        nomination.id,
        {"selection_id": selection.id, "subject_id": subject.id, "department_id": nomination.department_id},
    )
    return nomination


# --------------------------------------------------------------------------------------------- review
def review(ctx: Context, nomination_id: int, decision: str, note: str, expected_version: int | None) -> Nomination:
    """评审: approve (eligibility checked again, today) or reject (a note required), after the closing day and
    before publication; a decision may be changed until then."""
    require(ctx, MANAGE)
    nomination = get_nomination(ctx, nomination_id)
    selection = get_selection(ctx, nomination.selection_id)
    if selection.status == "published":
        raise Conflict("该评选已公布结果，不能再评审", code="selection_published")
    if ctx.today <= selection.closes_on:
        raise Conflict(f"推荐截止日为 {selection.closes_on.isoformat()}，截止后方可评审", code="selection_not_closed")
    cases.check_expected_version(nomination.lock_version, expected_version, NOMINATION_LABEL)
    if decision not in ("approve", "reject"):
        raise InvalidInput("评审结果应为 approve（评审通过）或 reject（未通过）", field="decision")
    note = cases.clean_text(
        note, "评审意见", "note", max_len=portal_rules().limits.note_max, min_len=1 if decision == "reject" else 0
    )
    if decision == "approve":
        kind = red_list(selection.list_code)
        found = problems(ctx, kind, _subject(ctx, nomination.subject_id), ctx.today)
        if found:
            raise InvalidInput("不能评审通过：" + "；".join(found) + "。请作“未通过”处理并写明原因", field="decision")
    before = nomination.status
    nomination.status = "approved" if decision == "approve" else "rejected"
    nomination.review_note = note or "评审通过"
    nomination.reviewed_by = ctx.actor
    nomination.reviewed_at = ctx.at
    if selection.status == "open":
        selection.status = "reviewing"
    cases.flush_locked(ctx, NOMINATION_LABEL)
    audit.record(
        ctx,
        "selections.review",
        "honest_nomination",
        nomination.id,
        {"selection_id": selection.id, "before": before, "status": nomination.status, "note": note[:500]},
    )
    return nomination


# --------------------------------------------------------------------------------------------- publish
def publish_selection(ctx: Context, selection_id: int, doc_no: str, expected_version: int | None) -> Selection:
    """公布评选结果: every approved nominee proposed, decided (``doc_no``, today) and published on the red list in
    one savepoint; all or nothing (409 naming the nominee that failed)."""
    require(ctx, MANAGE)
    selection = get_selection(ctx, selection_id)
    cases.check_expected_version(selection.lock_version, expected_version, LABEL)
    if selection.status == "published":
        raise Conflict(f"该评选已于 {selection.published_on} 公布结果", code="selection_published")
    if ctx.today <= selection.closes_on:
        raise Conflict(
            f"推荐截止日为 {selection.closes_on.isoformat()}，截止并评审后方可公布", code="selection_not_closed"
        )
    kind = red_list(selection.list_code)
    doc_no = cases.clean_text(doc_no, "评选结果文号", "doc_no", max_len=DOC_NO_MAX, min_len=1)
    rows = list(
        ctx.session.scalars(select(Nomination).where(Nomination.selection_id == selection.id).order_by(Nomination.id))
    )
    pending = [n for n in rows if n.status == "nominated"]
    if pending:
        shown = "、".join(str(n.id) for n in pending[:10])
        raise Conflict(
            f"尚有 {len(pending)} 个推荐未评审（推荐 {shown}），评审完毕后方可公布",
            code="nominations_pending",
        )
    approved = [n for n in rows if n.status == "approved"]
    if not approved:
        raise Conflict("没有评审通过的推荐，不能公布评选结果", code="no_winners")
    reasons = f"经{selection.year}年度“{selection.title}”评选，评审通过并公布（{doc_no}）"
    savepoint = ctx.session.begin_nested()
    current: tuple[int, int] | None = None  # (nomination id, subject id) being listed
    try:
        for nomination in approved:
            current = (nomination.id, nomination.subject_id)
            subject = _subject(ctx, nomination.subject_id)
            found = problems(ctx, kind, subject, ctx.today)
            if found:
                raise _refuse(subject, kind, found, "列入")
            entry = entries.propose(ctx, kind.code, subject.id, reasons, "")
            entry = entries.decide(ctx, entry.id, doc_no, ctx.today, None, entry.lock_version)
            entry = entries.publish(ctx, entry.id, ctx.today, entry.lock_version)
            nomination.list_entry_id = entry.id
            nomination.status = "published"
        current = None
        selection.status = "published"
        selection.published_on = ctx.today
        selection.decision_doc_no = doc_no
        selection.published_by = ctx.actor
        cases.flush_locked(ctx, LABEL)
    except XinyongError as exc:
        if savepoint.is_active:
            savepoint.rollback()
        if current is None:
            raise
        name = ctx.session.scalar(select(Subject.name).where(Subject.id == current[1])) or "该主体"
        raise Conflict(
            f"“{name}”（推荐 {current[0]}）未能列入“{kind.name}”：{exc.message}。"
            "评选结果未公布，所有推荐均未列入红名单",
            code="selection_publish_failed",
        ) from None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    audit.record(
        ctx,
        "selections.publish",
        "honest_selection",
        selection.id,
        _detail(
            selection,
            doc_no=doc_no,
            winners=[n.id for n in approved],
            entries=[n.list_entry_id for n in approved],
            rejected=[n.id for n in rows if n.status == "rejected"],
        ),
    )
    return selection


def nomination_status_label(nomination: Nomination) -> str:
    return NOMINATION_STATUSES.get(nomination.status, nomination.status)
