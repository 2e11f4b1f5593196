"""The platform's side of a federated demo run from the registry: credit features per enterprise computed set-based
from the stored records, list entries and grades (one statement), and a demo bank whose loan outcomes are drawn from
a fixed logistic model of those features (the bank is fictitious: its table exists only inside the run)."""

from __future__ import annotations

import math
import random
from datetime import date

from sqlalchemy import Float, case, cast, func, select

from xinyong.auth.context import Context
from xinyong.errors import InvalidInput
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.lists.active import in_force
from xinyong.lists.models import ListEntry
from xinyong.privacy.federated import DemoData, _sigmoid
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.subjects.models import Subject

ARREARS = ("social_insurance_arrears", "housing_fund_arrears", "utility_arrears")
REGISTRY_FEATURES = [
    "penalties_3y",
    "records_3y",
    "fine_amount_3y",
    "arrears_3y",
    "dishonesty_entries",
    "red_entries",
    "grade_score",
    "years_registered",
]
# The demo bank's "true" model on standardised features (defaults rise with penalties, arrears and listings, fall
# with the grade score and age): demo configuration, not a finding.
DEMO_COEFFICIENTS = [0.6, 0.2, 0.3, 0.8, 0.9, -0.4, -0.7, -0.5]
DEMO_INTERCEPT = -1.4


def registry_features(ctx: Context, as_of: date, limit: int) -> tuple[list[str], list[list[float]]]:
    """USCCs and features of up to ``limit`` enterprises with a code (by id), computed inside the database."""
    since = date(as_of.year - 3, as_of.month, min(as_of.day, 28))
    fine = cast(func.nullif(CreditRecord.data["fine_amount"].as_string(), ""), Float)
    records = (
        select(
            CreditRecord.subject_id.label("sid"),
            func.count(case((CreditRecord.item_id == "penalty", 1))).label("penalties"),
            func.count().label("records"),
            func.coalesce(func.sum(case((CreditRecord.item_id == "penalty", fine))), 0.0).label("fines"),
            func.count(case((CreditRecord.item_id.in_(ARREARS), 1))).label("arrears"),
        )
        .where(CreditRecord.subject_id.is_not(None), current_version(), CreditRecord.decided_on >= since)
        .group_by(CreditRecord.subject_id)
        .subquery("r")
    )
    lists = (
        select(
            ListEntry.subject_id.label("sid"),
            func.count(case((ListEntry.kind.in_(("dishonesty", "received")), 1))).label("dishonest"),
            func.count(case((ListEntry.kind == "red", 1))).label("red"),
        )
        .where(ListEntry.role == "subject", in_force(as_of))
        .group_by(ListEntry.subject_id)
        .subquery("l")
    )
    latest = select(func.max(EvaluationRun.id)).scalar_subquery()
    grades = (
        select(EvaluationResult.subject_id.label("sid"), EvaluationResult.score.label("score"))
        .where(EvaluationResult.run_id == latest)
        .subquery("g")
    )
    stmt = (
        select(
            Subject.uscc,
            Subject.registered_on,
            func.coalesce(records.c.penalties, 0),
            func.coalesce(records.c.records, 0),
            func.coalesce(records.c.fines, 0.0),
            func.coalesce(records.c.arrears, 0),
            func.coalesce(lists.c.dishonest, 0),
            func.coalesce(lists.c.red, 0),
            grades.c.score,
        )
        .outerjoin(records, records.c.sid == Subject.id)
        .outerjoin(lists, lists.c.sid == Subject.id)
        .outerjoin(grades, grades.c.sid == Subject.id)
        .where(Subject.kind != "natural_person", Subject.uscc.is_not(None))
        .order_by(Subject.id)
        .limit(limit)
    )
    codes: list[str] = []
    table: list[list[float]] = []
    for uscc, registered, penalties, n_records, fines, arrears, dishonest, red, score in ctx.session.execute(stmt):
        years = (as_of - registered).days / 365.25 if registered else 0.0
        codes.append(str(uscc))
        table.append(
            [
                float(penalties),
                float(n_records),
                float(fines or 0.0),
                float(arrears),
                float(dishonest),
                float(red),
                float(score) if score is not None else 0.0,
                max(0.0, years),
            ]
        )
    return codes, table


def registry_data(ctx: Context, seed: int, rows: int, min_rows: int) -> DemoData:
    """The platform's registry features and a demo bank over the same enterprises (plus 5 % codes the platform does
    not know), its outcomes drawn from ``DEMO_COEFFICIENTS`` on the standardised features."""
    codes, table = registry_features(ctx, ctx.today, rows)
    if len(codes) < min_rows:
        raise InvalidInput(f"登记在册的企业不足 {min_rows} 家，无法用主体库数据训练", field="rows")
    k = len(REGISTRY_FEATURES)
    n = len(table)
    mean = [sum(r[j] for r in table) / n for j in range(k)]
    std = [math.sqrt(sum((r[j] - mean[j]) ** 2 for r in table) / n) or 1.0 for j in range(k)]
    rng = random.Random(seed)
    outcomes: dict[str, int] = {}
    for code, row in zip(codes, table, strict=True):
        z = [(row[j] - mean[j]) / std[j] for j in range(k)]
        logit = DEMO_INTERCEPT + sum(c * v for c, v in zip(DEMO_COEFFICIENTS, z, strict=True)) + rng.gauss(0, 0.3)
        outcomes[code] = 1 if rng.random() < _sigmoid(logit) else 0
    for i in range(n // 20):
        outcomes[f"DEMO-BANK-ONLY-{seed}-{i}"] = rng.randint(0, 1)
    return DemoData(
        features=dict(zip(codes, table, strict=True)), feature_names=list(REGISTRY_FEATURES), outcomes=outcomes
    )
