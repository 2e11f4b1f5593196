"""Repeated-violator detection (屡禁不止、屡罚不改, work-plan item （五）): subjects with at least ``min_count``
penalties of the same type (处罚类别, ``credit_record.category``) decided in the window (``as_of`` − ``window_days``,
``as_of``], set-based.

A penalty counts when (``counted_condition``):

* it is a record of an item of the rule (``items``: ``penalty``) with a subject and a category;
* it is the current version of its natural key (``records.publication.current_version``: no other row supersedes
  it — a corrected penalty counts once, with its corrected date and category);
* no effect of ``exclude_effects`` (``revoked`` always; ``repaired`` by default, not confirmed) holds on its key on
  ``as_of`` (``starts_on <= as_of``): the effect path of ``records.effects``, so a revocation dated after ``as_of``
  does not change a past answer (time travel). The end of publicity does not stop a penalty counting: the window
  is the rule's, not the publicity period's.

The exclusions are written per dialect (``counted_condition``): correlated ``NOT EXISTS`` on PostgreSQL (hash
anti-joins), one ``id NOT IN (…)`` list of superseded and effect-excluded versions on SQLite (built once in memory
instead of two index probes per row: about five times faster in bench/repeat_violators_bench.py).

``violator_counts`` is the one ``GROUP BY subject_id, category HAVING count(*) >= min_count`` statement;
``find_repeat_violators`` pages it ad hoc; ``run`` stores a ``RepeatViolatorRun`` and its rows with one
``INSERT … SELECT`` of the same statement (no Python loop over records), timed and audited.
"""

from __future__ import annotations

import time
from datetime import UTC, date, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.campaigns.models import RepeatViolator, RepeatViolatorRun
from xinyong.campaigns.rules import RepeatRule, campaign_rules
from xinyong.campaigns.schemas import RunOut, ViolatorPage, ViolatorRow
from xinyong.db.base import fetch_or_404
from xinyong.errors import InvalidInput
from xinyong.records.models import CreditRecord, RecordEffect
from xinyong.records.publication import current_version
from xinyong.subjects.models import ID, Subject

READ = "campaigns.read"
RUN = "violators.run"
MAX_LIMIT = 500
AS_OF_RANGE = (date(2000, 1, 1), date(2100, 12, 31))


# --------------------------------------------------------------------------------------------- parameters
def parameters(as_of: date, min_count: int | None, window_days: int | None) -> tuple[date, int, int]:
    """``as_of`` checked, ``min_count`` and ``window_days`` defaulted from the rulebook and checked."""
    rule = campaign_rules().repeat_violators
    if not isinstance(as_of, date) or not AS_OF_RANGE[0] <= as_of <= AS_OF_RANGE[1]:
        raise InvalidInput("基准日无效（应在 2000-01-01 至 2100-12-31 之间）", field="as_of")
    count = rule.min_count if min_count is None else min_count
    days = rule.window_days if window_days is None else window_days
    if isinstance(count, bool) or not isinstance(count, int) or not 2 <= count <= 100:
        raise InvalidInput("处罚次数阈值应为 2 至 100 的整数", field="min_count")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise InvalidInput("统计期间应为 1 至 3650 天", field="window_days")
    return as_of, count, days


# --------------------------------------------------------------------------------------------- the statement
def _excluded_ids(as_of: date, rule: RepeatRule) -> Select:  # type: ignore[type-arg]
    """Ids of the record versions that do not count on ``as_of`` whatever their window: superseded versions and
    the versions of a key with an excluded effect. Driven by the few rows that have ``supersedes_id`` and by the
    few effects (each finds its versions through ``ix_credit_record_key``)."""
    superseded = select(CreditRecord.supersedes_id.label("id")).where(CreditRecord.supersedes_id.is_not(None))
    version = aliased(CreditRecord)
    affected = (
        select(version.id.label("id"))
        .select_from(RecordEffect)
        .join(
            version,
            and_(
                version.item_id == RecordEffect.item_id,
                version.department_id == RecordEffect.department_id,
                version.doc_no == RecordEffect.doc_no,
            ),
        )
        .where(RecordEffect.kind.in_(rule.exclude_effects), RecordEffect.starts_on <= as_of)
    )
    return superseded.union_all(affected)  # type: ignore[return-value]


def counted_condition(
    as_of: date, window_days: int, rule: RepeatRule | None = None, *, dialect: str = "postgresql"
) -> ColumnElement[bool]:
    """SQL: ``CreditRecord`` is a penalty that counts on ``as_of`` (module docstring).

    Two forms of the same rule: PostgreSQL plans the correlated ``NOT EXISTS`` as hash anti-joins; SQLite would
    probe two indexes per row, so there the exclusions are one ``id NOT IN (…)`` list (``_excluded_ids``) that it
    builds once as an in-memory index (the list never holds NULLs)."""
    rule = rule or campaign_rules().repeat_violators
    window = and_(
        CreditRecord.item_id.in_(rule.items),
        CreditRecord.decided_on > as_of - timedelta(days=window_days),
        CreditRecord.decided_on <= as_of,
        CreditRecord.subject_id.is_not(None),
        CreditRecord.category.is_not(None),
    )
    if dialect == "sqlite":
        return and_(window, CreditRecord.id.not_in(_excluded_ids(as_of, rule)))
    effect = aliased(RecordEffect)
    excluded = (
        select(effect.id)
        .where(
            effect.item_id == CreditRecord.item_id,
            effect.department_id == CreditRecord.department_id,
            effect.doc_no == CreditRecord.doc_no,
            effect.kind.in_(rule.exclude_effects),
            effect.starts_on <= as_of,
        )
        .correlate(CreditRecord)
        .exists()
    )
    return and_(window, current_version(), ~excluded)


def violator_counts(as_of: date, min_count: int, window_days: int, dialect: str = "postgresql") -> Select:  # type: ignore[type-arg]
    """``subject_id, category, penalties, first_on, last_on`` of every repeated violator: one GROUP BY."""
    n = func.count()
    return (
        select(
            CreditRecord.subject_id.label("subject_id"),
            CreditRecord.category.label("category"),
            n.label("penalties"),
            func.min(CreditRecord.decided_on).label("first_on"),
            func.max(CreditRecord.decided_on).label("last_on"),
        )
        .where(counted_condition(as_of, window_days, dialect=dialect))
        .group_by(CreditRecord.subject_id, CreditRecord.category)
        .having(n >= min_count)
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应为 1 至 {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise InvalidInput("偏移量不能为负数", field="offset")
    return limit, offset


def _rows(session: Session, found: Select, limit: int, offset: int) -> tuple[int, list[ViolatorRow]]:  # type: ignore[type-arg]
    sub = found.subquery("violators")
    total = int(session.scalar(select(func.count()).select_from(sub)) or 0)
    rows = session.execute(
        select(sub, Subject.name, Subject.uscc)
        .join(Subject, Subject.id == sub.c.subject_id)
        .order_by(sub.c.penalties.desc(), sub.c.last_on.desc(), sub.c.subject_id, sub.c.category)
        .limit(limit)
        .offset(offset)
    ).all()
    return total, [
        ViolatorRow(
            subject_id=r.subject_id,
            subject_name=r.name,
            uscc=r.uscc,
            category=r.category,
            penalties=r.penalties,
            first_on=r.first_on,
            last_on=r.last_on,
        )
        for r in rows
    ]


def find_repeat_violators(
    session: Session,
    as_of: date,
    min_count: int | None = None,
    window_days: int | None = None,
    *,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ViolatorPage:
    """The repeated violators on ``as_of``, ad hoc (nothing stored), most penalties first; optionally of one
    ``category``. Callers check ``campaigns.read`` (``query``)."""
    as_of, min_count, window_days = parameters(as_of, min_count, window_days)
    limit, offset = _page(limit, offset)
    found = violator_counts(as_of, min_count, window_days, _dialect(session))
    if category:
        found = found.where(CreditRecord.category == category[:64])
    total, rows = _rows(session, found, limit, offset)
    return ViolatorPage(
        as_of=as_of, min_count=min_count, window_days=window_days, total=total, limit=limit, offset=offset, rows=rows
    )


def query(
    ctx: Context, as_of: date, min_count: int | None = None, window_days: int | None = None, **kw: object
) -> ViolatorPage:
    """``find_repeat_violators`` for a reader holding ``campaigns.read``."""
    require(ctx, READ)
    return find_repeat_violators(ctx.session, as_of, min_count, window_days, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- stored runs
def run_out(run: RepeatViolatorRun) -> RunOut:
    """The run as the API shows it."""
    return RunOut(
        id=run.id,
        as_of=run.as_of,
        min_count=run.min_count,
        window_days=run.window_days,
        items=list(run.items),
        rule_version=run.rule_version,
        subjects=run.subjects,
        rows=run.rows,
        seconds=run.seconds,
        run_by=run.run_by,
        run_at=run.run_at,
    )


def run_detection(
    ctx: Context, as_of: date | None = None, min_count: int | None = None, window_days: int | None = None
) -> RepeatViolatorRun:
    """Detect and store: a ``RepeatViolatorRun`` and its ``RepeatViolator`` rows by one INSERT … SELECT; timed,
    audited (``violators.run``)."""
    require(ctx, RUN)
    as_of, min_count, window_days = parameters(as_of or ctx.today, min_count, window_days)
    rules = campaign_rules()
    started = time.perf_counter()
    session = ctx.session
    stored = RepeatViolatorRun(
        as_of=as_of,
        min_count=min_count,
        window_days=window_days,
        items=list(rules.repeat_violators.items),
        rule_version=rules.version,
        subjects=0,
        rows=0,
        run_by=ctx.actor[:128],
        run_at=ctx.at.astimezone(UTC),
    )
    session.add(stored)
    session.flush()
    found = violator_counts(as_of, min_count, window_days, _dialect(session)).subquery("found")
    session.execute(
        insert(RepeatViolator.__table__).from_select(
            ["run_id", "subject_id", "category", "penalties", "first_on", "last_on"],
            select(
                literal(stored.id, ID).label("run_id"),
                found.c.subject_id,
                found.c.category,
                found.c.penalties,
                found.c.first_on,
                found.c.last_on,
            ),
        )
    )
    rows, subjects = session.execute(
        select(func.count(), func.count(RepeatViolator.subject_id.distinct())).where(RepeatViolator.run_id == stored.id)
    ).one()
    stored.rows, stored.subjects = int(rows), int(subjects)
    stored.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    audit.record(
        ctx,
        "violators.run",
        "repeat_violator_run",
        str(stored.id),
        {
            "as_of": as_of.isoformat(),
            "min_count": min_count,
            "window_days": window_days,
            "rule_version": rules.version,
            "rows": stored.rows,
            "subjects": stored.subjects,
            "seconds": stored.seconds,
        },
    )
    return stored


run = run_detection


def list_runs(ctx: Context, limit: int = 20) -> list[RunOut]:
    """The latest runs, newest first."""
    require(ctx, READ)
    found = ctx.session.scalars(
        select(RepeatViolatorRun).order_by(RepeatViolatorRun.id.desc()).limit(max(1, min(limit, 200)))
    )
    return [run_out(r) for r in found]


def latest_run(session: Session) -> RepeatViolatorRun | None:
    """The newest stored run, if any."""
    return session.scalar(select(RepeatViolatorRun).order_by(RepeatViolatorRun.id.desc()).limit(1))


def run_or_404(session: Session, run_id: int) -> RepeatViolatorRun:
    """The run or ``NotFound``."""
    return fetch_or_404(session, RepeatViolatorRun, run_id, "未找到该检测批次", "run_id")


def run_violators(
    ctx: Context, run_id: int | None = None, *, category: str | None = None, limit: int = 50, offset: int = 0
) -> ViolatorPage | None:
    """A page of a stored run's violators (the latest run when ``run_id`` is None; None when there is none)."""
    require(ctx, READ)
    limit, offset = _page(limit, offset)
    stored = latest_run(ctx.session) if run_id is None else run_or_404(ctx.session, run_id)
    if stored is None:
        return None
    found = select(
        RepeatViolator.subject_id.label("subject_id"),
        RepeatViolator.category.label("category"),
        RepeatViolator.penalties.label("penalties"),
        RepeatViolator.first_on.label("first_on"),
        RepeatViolator.last_on.label("last_on"),
    ).where(RepeatViolator.run_id == stored.id)
    if category:
        found = found.where(RepeatViolator.category == category[:64])
    total, rows = _rows(ctx.session, found, limit, offset)
    return ViolatorPage(
        as_of=stored.as_of,
        min_count=stored.min_count,
        window_days=stored.window_days,
        total=total,
        limit=limit,
        offset=offset,
        rows=rows,
        run_id=stored.id,
    )
