"""Actions on special campaigns (专项治理, work-plan item （五）). Each takes a ``Context``, checks the permission,
validates, writes and appends one audit event.

* The credit office (``campaigns.manage``) creates a campaign (sectors from ``rules/campaigns.yaml``, a lead unit
  and participating units: catalogue departments or Panyu townships), puts subjects in its scope by hand or from a
  repeated-violator run (one INSERT … SELECT), and closes it with a result summary.
* A target's status and outcome (``campaigns.report``) are updated by the office, by the lead unit's officers, or
  by the officers of the participating unit the target is assigned to; only the office and the lead unit assign.
* Progress reports (``campaigns.report``): a department officer reports for its own department only, and only if
  that department takes part (lead or participating); the office may report for any unit of the campaign. Figures
  are keys of ``progress_figures`` with non-negative integer values.
"""

from __future__ import annotations

import re
from datetime import UTC

from sqlalchemy import and_, case, exists, func, insert, literal, select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, allowed, require
from xinyong.auth.tokens import clean_text
from xinyong.campaigns import violators
from xinyong.campaigns.models import Campaign, CampaignProgress, CampaignTarget, RepeatViolator
from xinyong.campaigns.rules import campaign_rules
from xinyong.campaigns.schemas import (
    CASE_REF_MAX,
    CODE_PATTERN,
    GOAL_MAX,
    NAME_MAX,
    NOTE_MAX,
    OUTCOME_MAX,
    REASON_MAX,
    RESULT_MAX,
    CampaignIn,
    CloseIn,
    FromRunIn,
    ProgressIn,
    TargetIn,
    TargetUpdateIn,
)
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.government.bodies import check_unit
from xinyong.records.models import CreditRecord
from xinyong.subjects.departments import own_unit_code
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.public import parse_uscc
from xinyong.workplan.units import unit_label

MANAGE = "campaigns.manage"
REPORT = "campaigns.report"
READ = "campaigns.read"
RUN_PREFIX = "RV-"  # case_ref of a target added from run N: "RV-N"
FIGURE_MAX = 10_000_000
_CODE = re.compile(CODE_PATTERN)


# --------------------------------------------------------------------------------------------- helpers
def _optional_text(value: str | None, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    return clean_text(value, field, label, max_length) if value else ""


def campaign_or_404(ctx: Context, campaign_id: int) -> Campaign:
    """The campaign or ``NotFound``."""
    return fetch_or_404(ctx.session, Campaign, campaign_id, "未找到该专项治理行动", "campaign_id")


def target_or_404(ctx: Context, target_id: int) -> CampaignTarget:
    """The target or ``NotFound``."""
    return fetch_or_404(ctx.session, CampaignTarget, target_id, "未找到该治理对象", "target_id")


def is_office(ctx: Context) -> bool:
    """Whether the actor runs campaigns (the credit office or the console operator)."""
    return allowed(ctx.role, MANAGE) and (ctx.scopes is None or MANAGE in ctx.scopes)


def campaign_units(campaign: Campaign) -> list[str]:
    """Lead unit first, then the participating units."""
    return [campaign.lead_unit, *[u for u in campaign.units if u != campaign.lead_unit]]


def _open(campaign: Campaign) -> None:
    if campaign.status == "closed":
        raise Conflict(f"专项治理行动 {campaign.code} 已结束，不能再修改")


def _sectors(keys: list[str]) -> list[str]:
    labels = campaign_rules().sector_labels()
    out: list[str] = []
    for key in keys:
        key = key.strip()
        if key not in labels:
            raise InvalidInput(
                f"治理领域“{key[:40]}”不在规则中，应为：{'、'.join(f'{k}（{v}）' for k, v in labels.items())}",
                field="sectors",
            )
        if key not in out:
            out.append(key)
    return out


# --------------------------------------------------------------------------------------------- campaigns
def create_campaign(ctx: Context, data: CampaignIn) -> Campaign:
    """A new campaign (``campaigns.manage``): planned when it starts after today, else active."""
    require(ctx, MANAGE)
    code = data.code.strip()
    if not _CODE.match(code):
        raise InvalidInput("行动编号只能由字母、数字、-、_ 组成（2–40 位）", field="code")
    name = clean_text(data.name, "name", "行动名称", NAME_MAX)
    sectors = _sectors(data.sectors)
    lead = check_unit(data.lead_unit, "lead_unit")
    units: list[str] = []
    for unit in data.units:
        unit = check_unit(unit, "units")
        if unit != lead and unit not in units:
            units.append(unit)
    if data.ends_on < data.starts_on:
        raise InvalidInput("结束日期不能早于开始日期", field="ends_on")
    goal = _optional_text(data.goal, "goal", "治理目标", GOAL_MAX)
    if ctx.session.scalar(select(Campaign.id).where(Campaign.code == code)) is not None:
        raise Conflict(f"行动编号 {code} 已存在", field="code")
    campaign = Campaign(
        code=code,
        name=name,
        sectors=sectors,
        lead_unit=lead,
        units=units,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        goal=goal,
        status="planned" if data.starts_on > ctx.today else "active",
        result="",
        created_by=ctx.actor[:128],
        created_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(campaign)
    ctx.session.flush()
    audit.record(
        ctx,
        "campaigns.create",
        "campaign",
        campaign.id,
        {"code": code, "sectors": sectors, "lead_unit": lead, "units": units},
    )
    return campaign


def close_campaign(ctx: Context, campaign_id: int, data: CloseIn) -> Campaign:
    """Close the campaign with its result summary (``campaigns.manage``)."""
    require(ctx, MANAGE)
    campaign = campaign_or_404(ctx, campaign_id)
    _open(campaign)
    campaign.result = clean_text(data.result, "result", "治理成效", RESULT_MAX)
    campaign.status = "closed"
    campaign.closed_at = ctx.at.astimezone(UTC)
    ctx.session.flush()
    audit.record(ctx, "campaigns.close", "campaign", campaign.id, {"code": campaign.code})
    return campaign


# --------------------------------------------------------------------------------------------- targets
def _target_unit(campaign: Campaign, code: str | None) -> str | None:
    code = (code or "").strip()
    if not code:
        return None
    if code not in campaign_units(campaign):
        raise InvalidInput(f"单位“{code[:32]}”不是本行动的牵头或参与单位", field="unit_code")
    return code


def add_target(ctx: Context, campaign_id: int, data: TargetIn) -> CampaignTarget:
    """Put a subject (by USCC) in the campaign's scope by hand (``campaigns.manage``)."""
    require(ctx, MANAGE)
    campaign = campaign_or_404(ctx, campaign_id)
    _open(campaign)
    code = parse_uscc(data.uscc)
    subject = ctx.session.scalar(select(Subject).where(Subject.uscc == code).order_by(Subject.id).limit(1))
    if subject is None:
        raise NotFound(f"主体库中没有统一社会信用代码为 {code} 的主体", field="uscc")
    case_ref = _optional_text(data.case_ref, "case_ref", "案件编号", CASE_REF_MAX)
    if case_ref.startswith(RUN_PREFIX):
        raise InvalidInput(f"案件编号不能以 {RUN_PREFIX} 开头（保留给屡禁不止、屡罚不改检测）", field="case_ref")
    reason = clean_text(data.reason, "reason", "纳入理由", REASON_MAX)
    sector = (data.sector or campaign.sectors[0]).strip()
    if sector not in campaign.sectors:
        raise InvalidInput("治理领域应为本行动的领域之一", field="sector")
    unit = _target_unit(campaign, data.unit_code)
    duplicate = select(CampaignTarget.id).where(
        CampaignTarget.campaign_id == campaign.id,
        CampaignTarget.subject_id == subject.id,
        CampaignTarget.case_ref == case_ref,
    )
    if ctx.session.scalar(duplicate) is not None:
        raise Conflict("该主体（及案件）已在本行动的治理范围内")
    target = CampaignTarget(
        campaign_id=campaign.id,
        subject_id=subject.id,
        case_ref=case_ref,
        sector=sector,
        source="manual",
        reason=reason,
        status=campaign_rules().initial_status,
        unit_code=unit,
        outcome="",
        added_by=ctx.actor[:128],
        added_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(target)
    ctx.session.flush()
    audit.record(
        ctx,
        "campaigns.target_add",
        "campaign_target",
        target.id,
        {"campaign_id": campaign.id, "subject_id": subject.id, "case_ref": case_ref, "sector": sector},
    )
    return target


def add_targets_from_run(ctx: Context, campaign_id: int, data: FromRunIn) -> int:
    """Every violator of the run (``all``), or those with a counted penalty from a department of the campaign's
    sectors (``sector``), put in scope with one INSERT … SELECT; subjects already added from a run are skipped.
    Returns how many targets were added (``campaigns.manage``)."""
    require(ctx, MANAGE)
    campaign = campaign_or_404(ctx, campaign_id)
    _open(campaign)
    stored = violators.run_or_404(ctx.session, data.run_id)
    rules = campaign_rules()
    sectors = [s for s in (rules.sector(k) for k in campaign.sectors) if s is not None]
    session = ctx.session
    candidates = select(RepeatViolator.subject_id).where(RepeatViolator.run_id == stored.id)
    sector_expr = literal(campaign.sectors[0])
    if data.scope == "sector" and not any(s.all_penalties for s in sectors):
        codes = {code: s.key for s in sectors for code in s.departments}
        ids = dict(session.execute(select(Department.code, Department.id).where(Department.code.in_(codes))).all())
        whens = [(CreditRecord.department_id == ids[code], literal(key)) for code, key in codes.items() if code in ids]
        if not whens:
            return 0
        counted = and_(
            violators.counted_condition(stored.as_of, stored.window_days),
            CreditRecord.subject_id == RepeatViolator.subject_id,
            CreditRecord.category == RepeatViolator.category,
            CreditRecord.department_id.in_([ids[c] for c in codes if c in ids]),
        )
        sector_expr = (
            select(func.min(case(*whens))).where(counted).correlate(RepeatViolator).scalar_subquery()  # type: ignore[assignment]
        )
        candidates = candidates.where(exists(select(CreditRecord.id).where(counted).correlate(RepeatViolator)))
    already = exists(
        select(CampaignTarget.id).where(
            CampaignTarget.campaign_id == campaign.id,
            CampaignTarget.subject_id == RepeatViolator.subject_id,
            CampaignTarget.source == "repeat_violator",
        )
    ).correlate(RepeatViolator)
    chosen = (
        select(
            RepeatViolator.subject_id.label("subject_id"),
            func.min(sector_expr).label("sector"),
            func.sum(RepeatViolator.penalties).label("penalties"),
        )
        .where(RepeatViolator.run_id == stored.id, RepeatViolator.subject_id.in_(candidates), ~already)
        .group_by(RepeatViolator.subject_id)
        .subquery("chosen")
    )
    reason = (
        f"屡禁不止、屡罚不改：检测批次 #{stored.id}（基准日 {stored.as_of.isoformat()}，"
        f"{stored.window_days} 天内同类处罚 ≥ {stored.min_count} 次）"
    )
    in_scope = select(func.count()).where(CampaignTarget.campaign_id == campaign.id)
    before = int(session.scalar(in_scope) or 0)
    session.execute(
        insert(CampaignTarget.__table__).from_select(
            [
                "campaign_id",
                "subject_id",
                "case_ref",
                "sector",
                "source",
                "reason",
                "status",
                "outcome",
                "added_by",
                "added_at",
            ],
            select(
                literal(campaign.id),
                chosen.c.subject_id,
                literal(f"{RUN_PREFIX}{stored.id}"),
                func.coalesce(chosen.c.sector, campaign.sectors[0]),
                literal("repeat_violator"),
                literal(reason[:REASON_MAX]),
                literal(rules.initial_status),
                literal(""),
                literal(ctx.actor[:128]),
                literal(ctx.at.astimezone(UTC)),
            ),
        )
    )
    added = int(session.scalar(in_scope) or 0) - before  # rowcount is -1 for INSERT … SELECT on psycopg
    audit.record(
        ctx,
        "campaigns.targets_from_run",
        "campaign",
        campaign.id,
        {"run_id": stored.id, "scope": data.scope, "added": added},
    )
    return added


def update_target(ctx: Context, target_id: int, data: TargetUpdateIn) -> CampaignTarget:
    """A target's status and outcome (``campaigns.report``): the office, the lead unit, or the participating unit
    the target is assigned to; ``unit_code`` (assignment) by the office or the lead unit only."""
    require(ctx, REPORT)
    target = target_or_404(ctx, target_id)
    campaign = campaign_or_404(ctx, target.campaign_id)
    _open(campaign)
    office = is_office(ctx)
    lead = False
    if not office:
        own = own_unit_code(ctx, REPORT)
        lead = own == campaign.lead_unit
        if not lead and not (own in campaign.units and target.unit_code == own):
            raise PermissionDenied(ctx.role, REPORT, "只能更新本单位牵头的行动或分派给本单位的治理对象")
    rules = campaign_rules()
    labels = rules.status_labels()
    status = data.status.strip()
    if status not in labels:
        raise InvalidInput(f"状态应为：{'、'.join(f'{k}（{v}）' for k, v in labels.items())}", field="status")
    if target.status in rules.final_statuses() and status != target.status:
        raise Conflict(f"治理对象已{labels[target.status]}，状态不能再变更")
    changes: dict[str, object] = {"from": target.status, "to": status}
    if data.unit_code is not None and (data.unit_code or None) != target.unit_code:
        if not (office or lead):
            raise PermissionDenied(ctx.role, REPORT, "只有区信用办或牵头单位可以分派治理对象")
        target.unit_code = _target_unit(campaign, data.unit_code)
        changes["unit_code"] = target.unit_code
    target.status = status
    target.outcome = _optional_text(data.outcome, "outcome", "处置结果", OUTCOME_MAX)
    target.updated_at = ctx.at.astimezone(UTC)
    ctx.session.flush()
    audit.record(ctx, "campaigns.target_update", "campaign_target", target.id, changes)
    return target


# --------------------------------------------------------------------------------------------- progress
def _figures(figures: dict[str, int]) -> dict[str, int]:
    labels = campaign_rules().figure_labels()
    out: dict[str, int] = {}
    for key, value in figures.items():
        if key not in labels:
            raise InvalidInput(
                f"统计项“{str(key)[:40]}”不在规则中，应为：{'、'.join(f'{k}（{v}）' for k, v in labels.items())}",
                field="figures",
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= FIGURE_MAX:
            raise InvalidInput(f"{labels[key]}应为 0 至 {FIGURE_MAX} 的整数", field="figures")
        out[key] = value
    return out


def report_progress(ctx: Context, campaign_id: int, data: ProgressIn) -> CampaignProgress:
    """A unit's progress report (``campaigns.report``; see the module docstring for who may report for whom)."""
    require(ctx, REPORT)
    campaign = campaign_or_404(ctx, campaign_id)
    units = campaign_units(campaign)
    code = (data.unit_code or "").strip()
    if not is_office(ctx):
        own = own_unit_code(ctx, REPORT)
        if code and code != own:
            raise PermissionDenied(ctx.role, REPORT, f"只能以本部门（{unit_label(own)}）名义报送进展")
        if own not in units:
            raise PermissionDenied(ctx.role, REPORT, "本部门不是该专项治理行动的牵头或参与单位")
        code = own
    if not code:
        raise InvalidInput("请选择报送单位", field="unit_code")
    if code not in units:
        raise InvalidInput(f"单位“{code[:32]}”不是本行动的牵头或参与单位", field="unit_code")
    _open(campaign)
    note = clean_text(data.note, "note", "进展情况", NOTE_MAX)
    figures = _figures(data.figures)
    reported_on = data.reported_on or ctx.today
    if reported_on > ctx.today:
        raise InvalidInput("报送日期不能晚于今天", field="reported_on")
    if reported_on < campaign.starts_on:
        raise InvalidInput("报送日期不能早于行动开始日期", field="reported_on")
    progress = CampaignProgress(
        campaign_id=campaign.id,
        unit_code=code,
        note=note,
        figures=figures,
        reported_on=reported_on,
        reported_by=ctx.actor[:128],
        reported_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(progress)
    if campaign.status == "planned":
        campaign.status = "active"
    ctx.session.flush()
    audit.record(
        ctx,
        "campaigns.progress",
        "campaign_progress",
        progress.id,
        {"campaign_id": campaign.id, "unit_code": code, "figures": figures},
    )
    return progress
