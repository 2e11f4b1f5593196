"""The one effect path: effects attach to a record's natural key (so they hold for later versions too) and every
registered listener hears each change inside the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records import effects
from xinyong.records.models import RecordEffect
from xinyong.subjects.models import Department


@pytest.fixture
def heard() -> Iterator[list[tuple[str, str, int]]]:
    seen: list[tuple[str, str, int]] = []

    def listener(ctx: Context, effect: RecordEffect, change: str) -> None:
        seen.append((change, effect.kind, effect.record_id))

    effects.on_effect(listener)
    effects.on_effect(listener)  # registering twice changes nothing
    yield seen
    effects._LISTENERS.remove(listener)


def test_an_effect_holds_for_every_version_of_the_record(
    ctx: Context, departments: tuple[Department, Department], heard: list[tuple[str, str, int]]
) -> None:
    batch = make_batch(ctx.session, departments[0])
    first = make_record(ctx.session, batch, doc_no="罚〔2026〕9号", decided_on=date(2026, 3, 2))
    other = make_record(ctx.session, batch, doc_no="罚〔2026〕10号", decided_on=date(2026, 3, 2), row_no=2)
    effect = effects.add_effect(
        ctx, first, "repaired", date(2026, 11, 27), source_type="repair", source_id=5, reason="已修复"
    )
    corrected = make_record(ctx.session, batch, doc_no="罚〔2026〕9号", decided_on=date(2026, 3, 2), supersedes=first)
    assert effects.effects_of(ctx, corrected) == [effect]
    assert effects.effects_of(ctx, corrected, "objection") == []
    assert effects.effects_of(ctx, other) == []
    assert (effect.record_id, effect.source_type, effect.created_by) == (first.id, "repair", "tester")
    assert heard == [("added", "repaired", first.id)]


def test_closing_an_interval_is_heard_once(
    ctx: Context, departments: tuple[Department, Department], heard: list[tuple[str, str, int]]
) -> None:
    record = make_record(
        ctx.session, make_batch(ctx.session, departments[0]), doc_no="罚1", decided_on=date(2026, 3, 2)
    )
    effect = effects.add_effect(ctx, record, "objection", date(2026, 11, 20), source_type="objection", source_id=1)
    effects.close_effect(ctx, effect, date(2026, 11, 27))
    effects.close_effect(ctx, effect, date(2026, 11, 30))  # already closed: kept as it was
    assert effect.ends_on == date(2026, 11, 27)
    assert heard == [("added", "objection", record.id), ("closed", "objection", record.id)]


def test_the_daily_jobs_expired_effects_are_heard_too(
    ctx: Context, departments: tuple[Department, Department], heard: list[tuple[str, str, int]]
) -> None:
    from xinyong.records.status import expire_publicity

    batch = make_batch(ctx.session, departments[0])
    ended = make_record(ctx.session, batch, doc_no="罚2", decided_on=date(2025, 3, 2), publicity_end=date(2026, 3, 2))
    make_record(ctx.session, batch, doc_no="罚3", decided_on=date(2026, 3, 2), publicity_end=date(2027, 3, 2), row_no=2)
    assert expire_publicity(ctx, date(2026, 11, 27)) == 1
    assert expire_publicity(ctx, date(2026, 11, 27)) == 0
    assert heard == [("added", "expired", ended.id)]
