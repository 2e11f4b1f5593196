"""The credit office's overview of government integrity and special campaigns (政务诚信与专项治理综合看板, issue #11
item 7): set-based figures as of a date, read directly from the #11 tables.

* contracts: by status (count, amount), schedule terms due within ``DUE_SOON_DAYS`` and overdue;
* arrears: owed, cleared (payments dated up to ``as_of``), outstanding, clearing rate, the year's new arrears
  against zero (``arrears_queries``);
* enforcement cases: by status, by answerable unit (open, closed, overdue);
* government-integrity records: by month (the 12 months up to ``as_of``) and by source;
* campaigns: each campaign with its targets by status, and the latest repeated-violator run.

Figures count rows that existed by ``as_of`` (signed, filed, arisen, occurred, started); a contract or case closed
after ``as_of`` counts as still open that day. Current status columns are otherwise taken as they are (the tables
keep no status history beyond closing dates). ``tables`` turns the overview into titled tables: the page renders
them without scripts and the exports write them (one CSV per table, one Excel sheet per table).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, func, literal, or_, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.campaigns.models import Campaign, CampaignTarget, RepeatViolatorRun
from xinyong.government.arrears import cents
from xinyong.government.arrears_queries import figure_rows, new_arrears
from xinyong.government.arrears_schemas import NewArrears
from xinyong.government.bodies import BODY_KINDS
from xinyong.government.models import (
    EnforcementCase,
    GovContract,
    GovContractTerm,
    GovIntegrityRecord,
)
from xinyong.government.records import SOURCE_KINDS
from xinyong.records.publication import check_as_of
from xinyong.workplan.units import unit_label

READ = "government.read"
CAMPAIGNS_READ = "campaigns.read"
DUE_SOON_DAYS = 30
MONTHS = 12
CONTRACT_LABELS = {"performing": "履行中", "completed": "已履行完毕", "defaulted": "违约", "terminated": "已解除"}
CASE_LABELS = {"open": "待交办", "assigned": "已交办", "rectifying": "整改中", "closed": "已结案"}
CAMPAIGN_LABELS = {"planned": "未开始", "active": "进行中", "closed": "已结束"}
TARGET_LABELS = {
    "in_scope": "纳入治理",
    "rectifying": "整改中",
    "rectified": "已整改",
    "punished": "已惩戒",
    "closed": "已销号",
}


class Count(BaseModel):
    key: str
    label: str
    count: int
    amount: Decimal | None = None


class UnitCases(BaseModel):
    unit_code: str
    unit_label: str
    open: int
    closed: int
    overdue: int


class MonthRecords(BaseModel):
    month: str
    by_source: dict[str, int]
    total: int


class CampaignRow(BaseModel):
    id: int
    code: str
    name: str
    status: str
    status_label: str
    starts_on: date
    ends_on: date
    targets: dict[str, int]
    total: int


class ViolatorRun(BaseModel):
    id: int
    as_of: date
    subjects: int
    rows: int
    min_count: int
    window_days: int


class ArrearsFigures(BaseModel):
    entries: int
    owed: Decimal
    cleared: Decimal
    outstanding: Decimal
    clearing_rate: float | None
    by_kind: list[Count]
    new_arrears: NewArrears


class Overview(BaseModel):
    as_of: date
    contracts_by_status: list[Count]
    terms_due_soon: int
    terms_overdue: int
    arrears: ArrearsFigures
    cases_by_status: list[Count]
    cases_by_unit: list[UnitCases]
    cases_overdue: int
    records_by_month: list[MonthRecords]
    records_by_source: list[Count]
    campaigns: list[CampaignRow] | None
    latest_run: ViolatorRun | None


# --------------------------------------------------------------------------------------------- sections
def _contracts(ctx: Context, as_of: date) -> tuple[list[Count], int, int]:
    status = case(
        (GovContract.closed_on.is_not(None) & (GovContract.closed_on > as_of), literal("performing")),
        else_=GovContract.status,
    )
    rows = ctx.session.execute(
        select(status, func.count(GovContract.id), func.sum(GovContract.amount))
        .where(GovContract.signed_on <= as_of)
        .group_by(status)
    ).all()
    found = {key: (int(n), cents(amount)) for key, n, amount in rows}
    counts = [
        Count(key=k, label=v, count=found.get(k, (0, Decimal("0")))[0], amount=found.get(k, (0, Decimal("0.00")))[1])
        for k, v in CONTRACT_LABELS.items()
    ]
    undone = or_(GovContractTerm.done_on.is_(None), GovContractTerm.done_on > as_of)
    live = (
        select(GovContractTerm.id)
        .join(GovContract, GovContract.id == GovContractTerm.contract_id)
        .where(GovContract.signed_on <= as_of, undone)
    )
    soon = ctx.session.scalar(
        select(func.count()).select_from(
            live.where(
                GovContractTerm.due_on >= as_of, GovContractTerm.due_on <= as_of + timedelta(days=DUE_SOON_DAYS)
            ).subquery()
        )
    )
    overdue = ctx.session.scalar(
        select(func.count()).select_from(live.where(GovContractTerm.due_on < as_of).subquery())
    )
    return counts, int(soon or 0), int(overdue or 0)


def _arrears(ctx: Context, as_of: date) -> ArrearsFigures:
    rows = figure_rows(ctx, as_of)
    owed = sum((r["owed"] for r in rows), Decimal("0.00"))
    cleared = sum((r["cleared"] for r in rows), Decimal("0.00"))
    by_kind = [
        Count(
            key=k,
            label=v,
            count=sum(r["open"] for r in rows if r["kind"] == k),
            amount=sum((r["open_amount"] for r in rows if r["kind"] == k), Decimal("0.00")),
        )
        for k, v in BODY_KINDS.items()
    ]
    return ArrearsFigures(
        entries=sum(r["entries"] for r in rows),
        owed=owed,
        cleared=cleared,
        outstanding=owed - cleared,
        clearing_rate=None if owed == 0 else float((cleared / owed).quantize(Decimal("0.0001"))),
        by_kind=by_kind,
        new_arrears=new_arrears(rows, as_of),
    )


def _cases(ctx: Context, as_of: date) -> tuple[list[Count], list[UnitCases], int]:
    reopened = EnforcementCase.closed_on.is_not(None) & (EnforcementCase.closed_on > as_of)
    status = case((reopened, literal("rectifying")), else_=EnforcementCase.status)
    is_open = case((status == "closed", 0), else_=1)
    is_overdue = case(
        ((status != "closed") & EnforcementCase.due_on.is_not(None) & (EnforcementCase.due_on < as_of), 1), else_=0
    )
    unit = func.coalesce(EnforcementCase.unit_code, literal(""))
    rows = ctx.session.execute(
        select(
            status,
            unit,
            func.count(EnforcementCase.id),
            func.sum(EnforcementCase.amount),
            func.sum(is_open),
            func.sum(is_overdue),
        )
        .where(EnforcementCase.filed_on <= as_of)
        .group_by(status, unit)
    ).all()
    by_status: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal("0.00")])
    by_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, code, n, amount, open_, overdue in rows:
        by_status[key][0] += int(n)
        by_status[key][1] += cents(amount)
        by_unit[code][0] += int(open_ or 0)
        by_unit[code][1] += int(n) - int(open_ or 0)
        by_unit[code][2] += int(overdue or 0)
    statuses = [
        Count(
            key=k,
            label=v,
            count=by_status[k][0] if k in by_status else 0,
            amount=by_status[k][1] if k in by_status else Decimal("0.00"),
        )
        for k, v in CASE_LABELS.items()
    ]
    units = [
        UnitCases(unit_code=code, unit_label=unit_label(code) if code else "未交办", open=o, closed=c, overdue=d)
        for code, (o, c, d) in by_unit.items()
    ]
    units.sort(key=lambda u: (-u.overdue, -u.open, u.unit_code))
    return statuses, units, sum(u.overdue for u in units)


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _records(ctx: Context, as_of: date) -> tuple[list[MonthRecords], list[Count]]:
    first = _month_start(as_of, MONTHS - 1)
    rows = ctx.session.execute(
        select(GovIntegrityRecord.occurred_on, GovIntegrityRecord.source_kind, func.count(GovIntegrityRecord.id))
        .where(GovIntegrityRecord.occurred_on >= first, GovIntegrityRecord.occurred_on <= as_of)
        .group_by(GovIntegrityRecord.occurred_on, GovIntegrityRecord.source_kind)
    ).all()
    months = [_month_start(as_of, back).strftime("%Y-%m") for back in range(MONTHS - 1, -1, -1)]
    cells: dict[str, dict[str, int]] = {m: dict.fromkeys(SOURCE_KINDS, 0) for m in months}
    for day, kind, n in rows:
        cells[day.strftime("%Y-%m")][kind] = cells[day.strftime("%Y-%m")].get(kind, 0) + int(n)
    by_month = [MonthRecords(month=m, by_source=cells[m], total=sum(cells[m].values())) for m in months]
    by_source = [Count(key=k, label=v, count=sum(cells[m].get(k, 0) for m in months)) for k, v in SOURCE_KINDS.items()]
    return by_month, by_source


def _campaigns(ctx: Context, as_of: date) -> tuple[list[CampaignRow], ViolatorRun | None]:
    campaigns = ctx.session.scalars(
        select(Campaign).where(Campaign.starts_on <= as_of).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ).all()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TARGET_LABELS, 0))
    for campaign_id, status, n in ctx.session.execute(
        select(CampaignTarget.campaign_id, CampaignTarget.status, func.count(CampaignTarget.id)).group_by(
            CampaignTarget.campaign_id, CampaignTarget.status
        )
    ):
        counts[campaign_id][status] = int(n)
    rows = []
    for c in campaigns:
        status = "active" if c.status == "closed" and c.ends_on > as_of else c.status
        targets = counts[c.id]
        rows.append(
            CampaignRow(
                id=c.id,
                code=c.code,
                name=c.name,
                status=status,
                status_label=CAMPAIGN_LABELS.get(status, status),
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                targets=targets,
                total=sum(targets.values()),
            )
        )
    run = ctx.session.scalar(
        select(RepeatViolatorRun)
        .where(RepeatViolatorRun.as_of <= as_of)
        .order_by(RepeatViolatorRun.as_of.desc(), RepeatViolatorRun.id.desc())
        .limit(1)
    )
    latest = (
        ViolatorRun(
            id=run.id,
            as_of=run.as_of,
            subjects=run.subjects,
            rows=run.rows,
            min_count=run.min_count,
            window_days=run.window_days,
        )
        if run
        else None
    )
    return rows, latest


def overview(ctx: Context, as_of: date | None = None) -> Overview:
    """Every section as of ``as_of`` (default today). Campaign figures need ``campaigns.read`` too (None without)."""
    require(ctx, READ)
    day = check_as_of(ctx, as_of)  # within the years the platform answers for (its 12-month series reach back)
    contracts, soon, overdue_terms = _contracts(ctx, day)
    statuses, units, overdue_cases = _cases(ctx, day)
    by_month, by_source = _records(ctx, day)
    campaigns, run = (None, None)
    try:
        require(ctx, CAMPAIGNS_READ)
        campaigns, run = _campaigns(ctx, day)
    except PermissionDenied:
        pass
    return Overview(
        as_of=day,
        contracts_by_status=contracts,
        terms_due_soon=soon,
        terms_overdue=overdue_terms,
        arrears=_arrears(ctx, day),
        cases_by_status=statuses,
        cases_by_unit=units,
        cases_overdue=overdue_cases,
        records_by_month=by_month,
        records_by_source=by_source,
        campaigns=campaigns,
        latest_run=run,
    )


# --------------------------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Table:
    """One titled table of the overview: the page shows it, the exports write it."""

    key: str
    title: str
    headings: tuple[str, ...]
    rows: list[list[Any]]


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def tables(o: Overview) -> list[Table]:
    """The overview as titled tables, in page order (CSV stems and sheet names use ``key`` and ``title``)."""
    a = o.arrears
    out = [
        Table(
            "contracts",
            "政府合同（按状态）",
            ("状态", "份数", "金额（元）"),
            [[c.label, c.count, _money(c.amount)] for c in o.contracts_by_status]
            + [[f"{DUE_SOON_DAYS}日内到期节点", o.terms_due_soon, ""], ["已逾期节点", o.terms_overdue, ""]],
        ),
        Table(
            "arrears",
            "清理拖欠账款",
            ("指标", "数值"),
            [
                ["台账笔数", a.entries],
                ["欠款总额（元）", _money(a.owed)],
                ["已清偿（元）", _money(a.cleared)],
                ["尚欠（元）", _money(a.outstanding)],
                ["清偿率", _rate(a.clearing_rate)],
                [f"{a.new_arrears.year}年新增拖欠笔数（目标 {a.new_arrears.target_count}）", a.new_arrears.count],
                [f"{a.new_arrears.year}年新增拖欠金额（元）", _money(a.new_arrears.amount)],
            ]
            + [[f"{c.label}未清偿笔数 / 金额（元）", f"{c.count} / {_money(c.amount)}"] for c in a.by_kind],
        ),
        Table(
            "cases",
            "执行案件（按状态）",
            ("状态", "件数", "标的金额（元）"),
            [[c.label, c.count, _money(c.amount)] for c in o.cases_by_status] + [["整改逾期", o.cases_overdue, ""]],
        ),
        Table(
            "case_units",
            "执行案件（按责任单位）",
            ("责任单位", "未结", "已结", "整改逾期"),
            [[u.unit_label, u.open, u.closed, u.overdue] for u in o.cases_by_unit],
        ),
        Table(
            "records",
            "政务失信记录（按月、来源）",
            ("月份", *SOURCE_KINDS.values(), "合计"),
            [[m.month, *(m.by_source.get(k, 0) for k in SOURCE_KINDS), m.total] for m in o.records_by_month],
        ),
    ]
    if o.campaigns is not None:
        out.append(
            Table(
                "campaigns",
                "专项治理（治理对象按状态）",
                ("行动", "状态", "起止", *TARGET_LABELS.values(), "合计"),
                [
                    [
                        c.name,
                        c.status_label,
                        f"{c.starts_on}至{c.ends_on}",
                        *(c.targets.get(k, 0) for k in TARGET_LABELS),
                        c.total,
                    ]
                    for c in o.campaigns
                ],
            )
        )
        run = o.latest_run
        out.append(
            Table(
                "violators",
                "屡禁不止、屡罚不改检测（最近一次）",
                ("检测基准日", "主体数", "记录数", "最少处罚次数", "时间窗（日）"),
                [[run.as_of, run.subjects, run.rows, run.min_count, run.window_days]] if run else [],
            )
        )
    return out


def chart_data(o: Overview) -> dict[str, Any]:
    """What the page's charts draw (JSON in ``data-chart``)."""
    return {
        "contracts": [{"name": c.label, "value": c.count} for c in o.contracts_by_status],
        "arrears": {
            "kinds": [c.label for c in o.arrears.by_kind],
            "outstanding": [float(c.amount or 0) for c in o.arrears.by_kind],
            "cleared": float(o.arrears.cleared),
            "remaining": float(o.arrears.outstanding),
            "new_count": o.arrears.new_arrears.count,
        },
        "cases": {
            "units": [u.unit_label for u in o.cases_by_unit],
            "open": [u.open for u in o.cases_by_unit],
            "closed": [u.closed for u in o.cases_by_unit],
            "overdue": [u.overdue for u in o.cases_by_unit],
        },
        "records": {
            "months": [m.month for m in o.records_by_month],
            "series": [
                {"name": label, "data": [m.by_source.get(k, 0) for m in o.records_by_month]}
                for k, label in SOURCE_KINDS.items()
            ],
        },
        "campaigns": [
            {"name": c.name, "targets": [c.targets.get(k, 0) for k in TARGET_LABELS]} for c in o.campaigns or []
        ],
        "target_labels": list(TARGET_LABELS.values()),
    }
