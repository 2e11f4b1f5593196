"""``demo.lifecycle_checks.plant_checks``: checks by the implementing departments on the entries in force, feedback
on most measures (some not applied, some still owed), deterministic for a seed; nothing without entries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, departments
from list_factories import department, published_entry
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_checks import plant_checks
from xinyong.lists.check_queries import feedback_rates
from xinyong.lists.models import CheckFeedback, ListCheck


def test_nothing_is_planted_without_entries(ctx: Context) -> None:
    assert plant_checks(ctx, 2021) == 0


def test_checks_and_feedback_are_planted(db: Session, ctx: Context) -> None:
    departments(db)
    for code in ("czj", "zjj", "fgj"):
        department(db, code)
    for n in range(12):
        firm = company(ctx, f"广州演示名单{n}有限公司", 600 + n)
        published_entry(db, firm, ("wage_arrears", "samr_serious_illegal", "abnormal_operation")[n % 3])
    for n in range(5):
        company(ctx, f"广州演示守法{n}有限公司", 700 + n)
    planted = plant_checks(ctx, 2021)
    checks = list(db.scalars(select(ListCheck).order_by(ListCheck.id)))
    assert planted == len(checks) == 12 + 5
    assert sum(c.hit for c in checks) == 12
    assert all(c.department_id is not None for c in checks)  # every check made by a registered department
    given = list(db.scalars(select(CheckFeedback)))
    assert given and any(not f.applied and f.reason for f in given)
    office = Context(session=db, actor="account:office", role="credit_office_staff")
    total = feedback_rates(office).total
    assert total.checks == 17 and total.feedback == len(given) and total.measures_due >= total.feedback
