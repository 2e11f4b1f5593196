"""The monthly run's negative check is incremental: the whole registry while no run of the model version has
passed, then the records loaded since the latest passing run began; a record loaded after it fails the next run
(and every run after, until it is dealt with); the on-demand check always scans everything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from factories import departments
from records_factories import make_batch, make_record
from xinyong.auth.audit import AuditEvent
from xinyong.auth.context import Context
from xinyong.monitoring import queries, service


def _petition(ctx: Context, doc_no: str, loaded_at: datetime) -> None:
    market, _ = departments(ctx.session)
    batch = make_batch(ctx.session, market, submitted_on=date(2026, 10, 20))
    record = make_record(ctx.session, batch, doc_no=doc_no, decided_on=date(2026, 10, 9), category="信访")
    record.loaded_at = loaded_at
    ctx.session.flush()


def test_incremental_after_a_clean_run(ctx: Context) -> None:
    first = service.run_month(ctx, "2026-09")
    assert first.negative_ok
    scopes = [e.detail["negative_scope"] for e in ctx.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert scopes[-1] == "full"

    # loaded before the clean run began (only possible for a load racing the run): not rescanned monthly …
    _petition(ctx, "番测信访〔2026〕1号", first.started_at.replace(tzinfo=UTC) - timedelta(hours=1))
    second = service.run_month(ctx, "2026-10")
    assert second.negative_ok
    # … but the on-demand check scans everything
    assert not queries.check_negative(ctx).ok


def test_a_record_loaded_later_fails_the_next_runs(ctx: Context) -> None:
    clean = service.run_month(ctx, "2026-09")
    assert clean.negative_ok
    _petition(ctx, "番测信访〔2026〕2号", clean.started_at.replace(tzinfo=UTC))  # the same instant counts
    failed = service.run_month(ctx, "2026-10")
    assert not failed.negative_ok
    detail = queries.run_detail(ctx, "2026-10")
    assert any("番测信访〔2026〕2号" in f.docs for f in detail.negative)
    assert not service.run_month(ctx, "2026-11").negative_ok  # the latest clean run is still the first
    scopes = [e.detail.get("negative_scope") for e in ctx.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert scopes[-1].startswith("loaded since ")
