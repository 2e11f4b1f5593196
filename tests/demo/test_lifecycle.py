"""The demo's lifecycle phase: each kind of case planted through its service, a kind that cannot be planted
skipped with its reason without leaving anything behind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.demo import lifecycle
from xinyong.demo.service import load_demo
from xinyong.errors import Conflict
from xinyong.records.models import Commitment, Objection, RepairApplication


def _count(ctx: Context, model: type) -> int:
    return ctx.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_demo_plants_every_kind_of_case(ctx: Context) -> None:
    summary = load_demo(ctx, 1000, 7, records=1.0)
    planted = summary.lifecycle
    assert planted is not None and planted.skipped == {}
    assert (planted.objections, planted.repairs) == (_count(ctx, Objection), _count(ctx, RepairApplication))
    assert planted.objections > 0 and planted.repairs > 0 and planted.commitments > 0
    # repair applications sign 信用修复型 commitments of their own besides the planted ones
    assert _count(ctx, Commitment) >= planted.commitments


def test_a_kind_that_cannot_be_planted_is_skipped_and_leaves_nothing(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(ctx: Context, *, per_state: int = 1) -> object:
        lifecycle.plant_objections(ctx, seed=99)  # writes, then fails: the savepoint must undo it
        raise Conflict("演示修复无法生成")

    load_demo(ctx, 1000, 7, records=1.0, lifecycle=False)
    monkeypatch.setattr(lifecycle, "plant_repairs", half_done)
    summary = lifecycle.plant_lifecycle(ctx, 7)
    assert summary.skipped == {"repairs": "演示修复无法生成"} and summary.repairs == 0
    assert summary.objections == _count(ctx, Objection) > 0 and summary.commitments > 0
    assert _count(ctx, RepairApplication) == 0
