"""Demo credit reports (issue #8): a few reports of demo enterprises issued through ``reports.service``, so the
report pages, the downloads and the public verification page have something to show after ``xinyong demo``.

``plant_reports`` picks enterprises deterministically from the seed — ones with a penalty decision first, then
others — and issues: an enterprise's own 专用信用报告 over the last three years in the usual domains (purpose
招标投标) and its own public report; a clean enterprise's own 专用信用报告; the credit office's public report of
another enterprise for a loan (信易贷) and its 专用信用报告 for construction bidding; and, when an enterprise has a
penalty decided in the last ``RECENT_DAYS`` days, its own public report dated a few days before that decision — so
the verification page shows "报告出具后相关信息已发生变化" with the new penalty. Each is signed with the platform's
key (setting ``report_key_file``) and audited like any other; report numbers are random by design, so only the
choice of subjects repeats for a seed. The caller commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.clock import CHINA_TZ
from xinyong.errors import Conflict
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.reports import service
from xinyong.reports.rules import report_rules
from xinyong.subjects.models import Department, Subject

CANDIDATES = 300
PERIOD_YEARS = 3
USUAL_DOMAINS = ("market_supervision", "tax", "social_insurance", "environment", "work_safety")
CONSTRUCTION_DOMAINS = ("housing_construction", "work_safety", "social_insurance")
RECENT_DAYS = 90
DAYS_BEFORE = 5


@dataclass(frozen=True)
class Plan:
    """One report to issue: on whose behalf, which kind, which domains, for what."""

    pool: str  # penalised / clean
    kind: str
    by_office: bool
    purpose: str
    domains: tuple[str, ...] = ()
    same_as_previous: bool = False


PLANS: tuple[Plan, ...] = (
    Plan("penalised", "special", False, "招标投标", USUAL_DOMAINS),
    Plan("penalised", "public", False, "", same_as_previous=True),
    Plan("clean", "special", False, "申请政府资金扶持", USUAL_DOMAINS),
    Plan("penalised", "public", True, "贷款审批（信易贷）"),
    Plan("clean", "special", True, "工程建设项目招标投标资格审查", CONSTRUCTION_DOMAINS),
)


def _pools(ctx: Context, rng: random.Random) -> dict[str, list[int]]:
    """Enterprises with a penalty of a department of the usual domains (so their special report finds it), and
    enterprises without one; shuffled by the seed."""
    session = ctx.session
    special = report_rules().special
    codes = sorted({c for d in special.domains if d.id in USUAL_DOMAINS for c in d.departments})
    penalised = list(
        dict.fromkeys(
            int(s)
            for s in session.scalars(
                select(CreditRecord.subject_id)
                .join(Department, Department.id == CreditRecord.department_id)
                .where(
                    Department.code.in_(codes),
                    CreditRecord.item_id == "penalty",
                    CreditRecord.subject_kind == "legal_person",
                    CreditRecord.subject_id.is_not(None),
                    current_version(),
                )
                .order_by(CreditRecord.id)
                .limit(CANDIDATES)
            )
        )
    )
    companies = [
        int(s)
        for s in session.scalars(
            select(Subject.id).where(Subject.kind == "legal_person").order_by(Subject.id).limit(CANDIDATES)
        )
    ]
    clean = [s for s in companies if s not in set(penalised)]
    rng.shuffle(penalised)
    rng.shuffle(clean)
    return {"penalised": penalised or clean[:], "clean": clean or penalised[:]}


def plant_reports(ctx: Context, seed: int) -> int:
    """Issue the reports of ``PLANS`` (see the module docstring); returns how many were issued. ``Conflict`` when
    the registry has no enterprise."""
    require(ctx, "demo.load")
    rng = random.Random(seed)
    pools = _pools(ctx, rng)
    if not pools["penalised"]:
        raise Conflict("演示信用报告需要主体库中的企业：请先载入演示数据（xinyong demo）")
    known = {d.id for d in report_rules().special.domains}
    office = Context(session=ctx.session, actor="demo:office", role="credit_office_staff", at=ctx.at)
    start = service.years_before(ctx.today, PERIOD_YEARS)
    issued = 0
    subject_id = pools["penalised"][0]
    for plan in PLANS:
        if not plan.same_as_previous:
            pool = pools[plan.pool]
            subject_id = pool.pop(0) if len(pool) > 1 else pool[0]
        acting = (
            office
            if plan.by_office
            else Context(
                session=ctx.session,
                actor=f"demo:subject:{subject_id}",
                role="subject",
                subject_id=subject_id,
                at=ctx.at,
            )
        )
        special = plan.kind == "special"
        service.issue_report(
            acting,
            subject_id,
            plan.kind,
            period_start=start if special else None,
            period_end=ctx.today if special else None,
            domains=tuple(d for d in plan.domains if d in known),
            purpose=plan.purpose,
        )
        issued += 1
    return issued + _plant_changed(ctx)


def _plant_changed(ctx: Context) -> int:
    """An enterprise's own public report issued ``DAYS_BEFORE`` days before its latest recent penalty (0 when no
    enterprise has one)."""
    since = ctx.today - timedelta(days=RECENT_DAYS)
    found = ctx.session.execute(
        select(CreditRecord.subject_id, CreditRecord.decided_on)
        .where(
            CreditRecord.item_id == "penalty",
            CreditRecord.subject_kind == "legal_person",
            CreditRecord.subject_id.is_not(None),
            CreditRecord.decided_on > since + timedelta(days=DAYS_BEFORE),
            CreditRecord.decided_on < ctx.today,
            current_version(),
        )
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id)
        .limit(1)
    ).first()
    if found is None:
        return 0
    subject_id, decided_on = int(found[0]), found[1]
    day = decided_on - timedelta(days=DAYS_BEFORE)
    at = datetime.combine(day, time(10), tzinfo=CHINA_TZ).astimezone(UTC)
    own = Context(session=ctx.session, actor=f"demo:subject:{subject_id}", role="subject", subject_id=subject_id, at=at)
    service.issue_report(own, subject_id, "public", purpose="合作方尽职调查")
    return 1
