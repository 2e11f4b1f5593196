"""Authorisation-matrix entries of web/api/inspections.py (issue #6, 双随机、一公开).

Regulators and the credit office (``inspections.*``) manage the inspector pool, plan, draw, publish, verify and
enter results; department officers, banks, subjects and auditors may not. The item library, the result codes
and the published plans with their results are public. Path makers build what the operation acts on through the
service as the console operator: a draft plan (fresh, so ``lock_version`` 1), a drawn plan, a published plan,
a task of a drawn plan, an inspector; the seed firm and its neighbour are the candidates, graded by a run.
"""

from __future__ import annotations

import itertools

from matrix_common import ALL, OFFICE, TODAY, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.evaluation import service as evaluation
from xinyong.supervision import service
from xinyong.supervision.schemas import InspectorIn, PlanIn

INSPECTORS = OFFICE | {"regulator"}
ITEM = "scjg_spjy"  # 食品经营抽查 of the market regulator (seed.department)
OTHER_TOWN = "440113102"  # 南村镇: not the seed firm's 市桥街道, so no same-town conflict
_SERIAL = itertools.count(1)
_READY: set[int] = set()


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="matrix:setup", role="system")


def _ready(seed: Seed) -> None:
    """Once per seed: an evaluation run as of TODAY and two inspectors of the seed department."""
    if id(seed) in _READY:
        return
    ctx = _operator(seed)
    evaluation.run_evaluation(ctx, TODAY)
    for name in ("矩阵检查员甲", "矩阵检查员乙", "矩阵检查员丙"):
        inspector(seed, name)
    _READY.add(id(seed))


def inspector(seed: Seed, name: str = "矩阵检查员") -> int:
    """A new active inspector of ``seed.department`` (a fresh badge number each time)."""
    data = InspectorIn(
        name=name, department_id=seed.department.id, badge_no=f"M{next(_SERIAL):05d}", township_code=OTHER_TOWN
    )
    return service.add_inspector(_operator(seed), data).id


def _plan_in(seed: Seed) -> PlanIn:
    return PlanIn(
        title=f"矩阵测试抽查计划{next(_SERIAL)}",
        department_id=seed.department.id,
        item_code=ITEM,
        as_of=TODAY,
        ratios={"A": "1", "B": "1", "C": "1", "D": "1"},
        seed="matrix",
    )


def draft_plan(seed: Seed) -> int:
    """A draft plan (lock_version 1) over the seed's firms."""
    _ready(seed)
    return service.create_plan(_operator(seed), _plan_in(seed)).id


def drawn_plan(seed: Seed) -> int:
    plan = service.get_plan(_operator(seed), draft_plan(seed))
    return service.draw_plan(_operator(seed), plan.id, plan.lock_version).id


def published_plan(seed: Seed) -> int:
    plan = service.get_plan(_operator(seed), drawn_plan(seed))
    return service.publish_plan(_operator(seed), plan.id, plan.lock_version).id


def task(seed: Seed) -> int:
    """The first task of a freshly published plan (lock_version 1: results are entered once published)."""
    return service.plan_tasks(_operator(seed), published_plan(seed))[0].id


def _plan_body(seed: Seed) -> dict[str, object]:
    return _plan_in(seed).model_dump(mode="json", exclude_none=True)


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/inspections/items"): Spec(ALL),
    ("GET", "/api/v1/inspections/result-codes"): Spec(ALL),
    ("GET", "/api/v1/inspections/inspectors"): Spec(INSPECTORS),
    ("POST", "/api/v1/inspections/inspectors"): Spec(
        INSPECTORS,
        body=lambda s: {"name": "矩阵新检查员", "department_id": s.department.id, "badge_no": "MNEW1"},
    ),
    ("POST", "/api/v1/inspections/inspectors/{inspector_id}/deactivate"): Spec(
        INSPECTORS, path={"inspector_id": inspector}
    ),
    ("POST", "/api/v1/inspections/inspectors/{inspector_id}/activate"): Spec(
        INSPECTORS, path={"inspector_id": inspector}
    ),
    ("GET", "/api/v1/inspections/conflicts"): Spec(INSPECTORS),
    ("POST", "/api/v1/inspections/conflicts"): Spec(
        INSPECTORS,
        body=lambda s: {"inspector_id": inspector(s), "subject_id": s.firm.id, "reason": "矩阵测试回避"},
    ),
    ("GET", "/api/v1/inspections/plans"): Spec(INSPECTORS, params={"status": "draft"}),
    ("POST", "/api/v1/inspections/plans"): Spec(INSPECTORS, body=_plan_body),
    ("GET", "/api/v1/inspections/plans/{plan_id}"): Spec(INSPECTORS, path={"plan_id": draft_plan}),
    ("POST", "/api/v1/inspections/plans/{plan_id}/draw"): Spec(
        INSPECTORS, path={"plan_id": draft_plan}, body=lambda s: {"lock_version": 1}
    ),
    ("POST", "/api/v1/inspections/plans/{plan_id}/publish"): Spec(
        INSPECTORS, path={"plan_id": drawn_plan}, body=lambda s: {"lock_version": 2}
    ),
    ("GET", "/api/v1/inspections/plans/{plan_id}/verify"): Spec(INSPECTORS, path={"plan_id": drawn_plan}),
    ("GET", "/api/v1/inspections/plans/{plan_id}/tasks"): Spec(INSPECTORS, path={"plan_id": drawn_plan}),
    ("GET", "/api/v1/inspections/plans/{plan_id}/candidates.csv"): Spec(INSPECTORS, path={"plan_id": drawn_plan}),
    ("PUT", "/api/v1/inspections/tasks/{task_id}/result"): Spec(
        INSPECTORS,
        path={"task_id": task},
        body=lambda s: {"result": "no_problem", "inspected_on": TODAY.isoformat(), "lock_version": 1},
    ),
    ("GET", "/api/v1/inspections/public/plans"): Spec(ALL),
    ("GET", "/api/v1/inspections/public/plans/{plan_id}"): Spec(ALL, path={"plan_id": published_plan}),
    ("GET", "/api/v1/inspections/public/plans/{plan_id}/tasks"): Spec(ALL, path={"plan_id": published_plan}),
    ("GET", "/api/v1/inspections/public/plans/{plan_id}/verify"): Spec(ALL, path={"plan_id": published_plan}),
}
