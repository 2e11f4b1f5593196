"""The demo's PSI sets (issue #10): ``plant_privacy`` builds every scope and runs the demo bank's exchanges."""

from __future__ import annotations

from sqlalchemy import select

from factories import company
from list_factories import published_entry
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_privacy import plant_privacy
from xinyong.lending import service as lending
from xinyong.lending.schemas import InstitutionIn
from xinyong.privacy.models import PsiExchange, PsiSet


def test_plant_privacy_builds_the_sets_and_logs_the_demo_bank(ctx: Context) -> None:
    firms = [company(ctx, f"演示{n}有限公司", n) for n in range(9201, 9206)]
    published_entry(ctx.session, firms[0], "wage_arrears")
    lending.register_institution(ctx, InstitutionIn(name="演示银行", uscc="91440113MA59DM0001", kind="bank"))
    assert plant_privacy(ctx, 7) == 4  # two sets built, two exchanges answered
    sets = ctx.session.scalars(select(PsiSet).where(PsiSet.current.is_(True)).order_by(PsiSet.scope)).all()
    assert [(s.scope, s.elements) for s in sets] == [("grade_D", 0), ("lists_dishonesty", 1)]
    log = ctx.session.scalars(select(PsiExchange)).all()
    assert {(e.institution, e.client_elements, e.outcome) for e in log} == {("演示银行", 5, "ok")}
    assert plant_privacy(ctx, 7) == 2  # nothing changed: no new version, two more exchanges
