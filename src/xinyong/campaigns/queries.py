"""Reads of special campaigns (``campaigns.read``): the list and a campaign with target counts by status, its
targets, progress by unit, and the campaign's repeated violators (targets added from a run, with their counts)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.campaigns.models import Campaign, CampaignProgress, CampaignTarget, RepeatViolator
from xinyong.campaigns.rules import campaign_rules
from xinyong.campaigns.schemas import (
    CampaignOut,
    CampaignRow,
    CampaignViolator,
    ProgressOut,
    TargetOut,
    UnitOut,
    UnitProgress,
    ViolatorRow,
)
from xinyong.campaigns.service import READ, RUN_PREFIX, campaign_or_404, campaign_units
from xinyong.errors import InvalidInput
from xinyong.subjects.models import Subject
from xinyong.workplan.units import unit_label

CAMPAIGN_STATUS_LABELS = {"planned": "未开始", "active": "进行中", "closed": "已结束"}
SOURCE_LABELS = {"manual": "人工纳入", "repeat_violator": "屡禁不止、屡罚不改检测", "record": "信用记录"}
MAX_LIMIT = 500


def unit_out(code: str) -> UnitOut:
    """A unit code with its display name."""
    return UnitOut(code=code, label=unit_label(code))


def _counts(ctx: Context, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    if not campaign_ids:
        return out
    rows = ctx.session.execute(
        select(CampaignTarget.campaign_id, CampaignTarget.status, func.count())
        .where(CampaignTarget.campaign_id.in_(campaign_ids))
        .group_by(CampaignTarget.campaign_id, CampaignTarget.status)
    ).all()
    for campaign_id, status, n in rows:
        out[campaign_id][status] = int(n)
    return out


def _row(campaign: Campaign, counts: dict[str, int]) -> dict[str, object]:
    labels = campaign_rules().sector_labels()
    statuses = campaign_rules().status_labels()
    return {
        "id": campaign.id,
        "code": campaign.code,
        "name": campaign.name,
        "sectors": list(campaign.sectors),
        "sector_labels": [labels.get(k, k) for k in campaign.sectors],
        "lead_unit": unit_out(campaign.lead_unit),
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "status": campaign.status,
        "status_label": CAMPAIGN_STATUS_LABELS.get(campaign.status, campaign.status),
        "targets": sum(counts.values()),
        "by_status": {key: counts.get(key, 0) for key in statuses},
    }


def list_campaigns(ctx: Context, status: str | None = None) -> list[CampaignRow]:
    """Campaigns, newest first, with their target counts by status."""
    require(ctx, READ)
    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    if status:
        if status not in CAMPAIGN_STATUS_LABELS:
            raise InvalidInput("状态应为 planned、active 或 closed", field="status")
        stmt = stmt.where(Campaign.status == status)
    found = list(ctx.session.scalars(stmt))
    counts = _counts(ctx, [c.id for c in found])
    return [CampaignRow.model_validate(_row(c, counts.get(c.id, {}))) for c in found]


def _progress_out(p: CampaignProgress) -> ProgressOut:
    return ProgressOut(
        id=p.id,
        campaign_id=p.campaign_id,
        unit=unit_out(p.unit_code),
        note=p.note,
        figures=dict(p.figures),
        reported_on=p.reported_on,
        reported_by=p.reported_by,
        reported_at=p.reported_at,
    )


def progress_reports(ctx: Context, campaign_id: int) -> list[ProgressOut]:
    """The campaign's progress reports, newest first."""
    require(ctx, READ)
    campaign_or_404(ctx, campaign_id)
    found = ctx.session.scalars(
        select(CampaignProgress)
        .where(CampaignProgress.campaign_id == campaign_id)
        .order_by(CampaignProgress.reported_on.desc(), CampaignProgress.id.desc())
    )
    return [_progress_out(p) for p in found]


def progress_by_unit(ctx: Context, campaign: Campaign) -> list[UnitProgress]:
    """Every unit of the campaign with its reports' figures summed (units that have not reported: zeros)."""
    keys = list(campaign_rules().figure_labels())
    reports = ctx.session.scalars(select(CampaignProgress).where(CampaignProgress.campaign_id == campaign.id))
    sums: dict[str, dict[str, int]] = {u: dict.fromkeys(keys, 0) for u in campaign_units(campaign)}
    count: dict[str, int] = defaultdict(int)
    last: dict[str, object] = {}
    for p in reports:
        unit = sums.setdefault(p.unit_code, dict.fromkeys(keys, 0))
        for key, value in p.figures.items():
            unit[key] = unit.get(key, 0) + int(value)
        count[p.unit_code] += 1
        if p.unit_code not in last or p.reported_on > last[p.unit_code]:  # type: ignore[operator]
            last[p.unit_code] = p.reported_on
    return [
        UnitProgress(unit=unit_out(code), reports=count[code], figures=figures, last_on=last.get(code))  # type: ignore[arg-type]
        for code, figures in sums.items()
    ]


def campaign_detail(ctx: Context, campaign_id: int) -> CampaignOut:
    """The campaign with counts by status, its units and progress by unit."""
    require(ctx, READ)
    campaign = campaign_or_404(ctx, campaign_id)
    row = _row(campaign, _counts(ctx, [campaign.id]).get(campaign.id, {}))
    return CampaignOut.model_validate(
        row
        | {
            "units": [unit_out(u) for u in campaign.units],
            "goal": campaign.goal,
            "result": campaign.result,
            "created_by": campaign.created_by,
            "created_at": campaign.created_at,
            "closed_at": campaign.closed_at,
            "progress": progress_by_unit(ctx, campaign),
        }
    )


def targets(
    ctx: Context, campaign_id: int, *, status: str | None = None, limit: int = 100, offset: int = 0
) -> tuple[int, list[TargetOut]]:
    """A page of the campaign's targets (optionally of one status), newest first; the total."""
    require(ctx, READ)
    campaign_or_404(ctx, campaign_id)
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidInput(f"每页条数应为 1 至 {MAX_LIMIT}，偏移量不能为负数", field="limit")
    rules = campaign_rules()
    stmt = select(CampaignTarget, Subject.name, Subject.uscc).join(Subject, Subject.id == CampaignTarget.subject_id)
    stmt = stmt.where(CampaignTarget.campaign_id == campaign_id)
    if status:
        stmt = stmt.where(CampaignTarget.status == status)
    total = int(ctx.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = ctx.session.execute(stmt.order_by(CampaignTarget.id.desc()).limit(limit).offset(offset)).all()
    sectors, statuses = rules.sector_labels(), rules.status_labels()
    return total, [
        TargetOut(
            id=t.id,
            campaign_id=t.campaign_id,
            subject_id=t.subject_id,
            subject_name=name,
            uscc=uscc,
            case_ref=t.case_ref,
            sector=t.sector,
            sector_label=sectors.get(t.sector, t.sector),
            source=t.source,
            reason=t.reason,
            status=t.status,
            status_label=statuses.get(t.status, t.status),
            unit=unit_out(t.unit_code) if t.unit_code else None,
            outcome=t.outcome,
            added_by=t.added_by,
            added_at=t.added_at,
            updated_at=t.updated_at,
        )
        for t, name, uscc in rows
    ]


def _run_id(case_ref: str) -> int | None:
    tail = case_ref.removeprefix(RUN_PREFIX)
    return int(tail) if case_ref.startswith(RUN_PREFIX) and tail.isdigit() else None


def campaign_violators(ctx: Context, campaign_id: int) -> list[CampaignViolator]:
    """The campaign's repeated violators: its targets added from a detection run, each with its penalty counts by
    category in that run (most penalties first)."""
    require(ctx, READ)
    campaign_or_404(ctx, campaign_id)
    statuses = campaign_rules().status_labels()
    found = ctx.session.execute(
        select(CampaignTarget, Subject.name, Subject.uscc)
        .join(Subject, Subject.id == CampaignTarget.subject_id)
        .where(CampaignTarget.campaign_id == campaign_id, CampaignTarget.source == "repeat_violator")
    ).all()
    runs = {rid for t, _, _ in found if (rid := _run_id(t.case_ref)) is not None}
    by_key: dict[tuple[int, int], list[RepeatViolator]] = defaultdict(list)
    if runs:
        rows = ctx.session.scalars(
            select(RepeatViolator)
            .join(
                CampaignTarget,
                (CampaignTarget.subject_id == RepeatViolator.subject_id) & (CampaignTarget.campaign_id == campaign_id),
            )
            .where(RepeatViolator.run_id.in_(runs), CampaignTarget.source == "repeat_violator")
            .order_by(RepeatViolator.penalties.desc(), RepeatViolator.category)
        )
        for v in rows:
            by_key[(v.run_id, v.subject_id)].append(v)
    out = []
    for target, name, uscc in found:
        run_id = _run_id(target.case_ref)
        cats = [
            ViolatorRow(
                subject_id=v.subject_id,
                subject_name=name,
                uscc=uscc,
                category=v.category,
                penalties=v.penalties,
                first_on=v.first_on,
                last_on=v.last_on,
            )
            for v in by_key.get((run_id or 0, target.subject_id), [])
        ]
        out.append(
            CampaignViolator(
                target_id=target.id,
                subject_id=target.subject_id,
                subject_name=name,
                uscc=uscc,
                status=target.status,
                status_label=statuses.get(target.status, target.status),
                run_id=run_id,
                categories=cats,
            )
        )
    out.sort(key=lambda v: (-sum(c.penalties for c in v.categories), v.subject_id))
    return out
