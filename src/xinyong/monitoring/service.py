"""Actions of city credit monitoring (audited): run a month, enter a manual value with its evidence.

* ``run_month`` (``monitoring.run``): computes every indicator of the model for the district and each township
  as of the month's last day, scores it, flags warnings (worse than the model's threshold, worse than the
  previous month's current run, manual value missing) and runs the negative check — over the catalogue, and over
  the records loaded since the latest run of the model version whose check passed (all of them when none did:
  ``negative_check``). A rerun of the same (model version, month) is a new run row; the old one stays as history,
  no longer ``current``. Manual entries are read from their table, so they carry over into every rerun.
* ``enter_value`` (``monitoring.enter``): a manual indicator's value for the district or a township with its
  evidence; a department officer only for indicators naming their department. When the month already has a
  current run, that indicator's rows and the run's totals are updated at once.
"""

from __future__ import annotations

import calendar
import math
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput
from xinyong.monitoring import compute, negative_check
from xinyong.monitoring.model_yaml import DEFAULT_VERSION, Indicator, MonitoringModel, load_model
from xinyong.monitoring.models import MonitoringEntry, MonitoringRun, MonitoringValue
from xinyong.monitoring.schemas import EVIDENCE_MAX, EntryOut, RunOut
from xinyong.records.cases import clean_text
from xinyong.subjects.models import Department

RUN = "monitoring.run"
ENTER = "monitoring.enter"
READ = "monitoring.read"
EARLIEST = date(2015, 1, 1)
BOUNDED = {"%", "分"}  # unit labels whose values lie within 0–100
VALUE_MAX = 1_000_000.0


def parse_month(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM`` (``InvalidInput`` naming the field otherwise)."""
    text = (month or "").strip()
    try:
        year, mon = (int(part) for part in text.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise InvalidInput(f"月份“{text[:10]}”格式应为 YYYY-MM", field="month") from None
    if len(text) != 7:
        raise InvalidInput(f"月份“{text[:10]}”格式应为 YYYY-MM", field="month")
    return first, date(year, mon, calendar.monthrange(year, mon)[1])


def _month_window(ctx: Context, month: str) -> tuple[date, date]:
    first, last = parse_month(month)
    if first > ctx.today:
        raise InvalidInput(f"{month} 尚未开始，不能计算或填报", field="month")
    if first < EARLIEST:
        raise InvalidInput(f"{month} 早于 {EARLIEST.year} 年，请检查月份", field="month")
    return first, last


def previous_month(month: str) -> str:
    """``YYYY-MM`` of the month before."""
    first, _ = parse_month(month)
    return f"{first.year - 1}-12" if first.month == 1 else f"{first.year}-{first.month - 1:02d}"


def units(model: MonitoringModel) -> list[str]:
    """The district code, then every township code."""
    return [model.district, *(t.code for t in PANYU_TOWNSHIPS)]


def current_run(ctx: Context, version: int, month: str) -> MonitoringRun | None:
    """The current run of (version, month), if any."""
    return ctx.session.scalars(
        select(MonitoringRun).where(
            MonitoringRun.model_version == version, MonitoringRun.month == month, MonitoringRun.current.is_(True)
        )
    ).first()


def _warnings(ind: Indicator, value: float | None, previous: float | None, manual: bool) -> list[str]:
    if value is None:
        return ["missing"] if manual else []
    found = []
    if ind.worse(value, ind.warn_at):
        found.append("below")
    if previous is not None and ind.worse(value, previous):
        found.append("worse")
    return found


def _row(ind: Indicator, unit: str, value: float | None, previous: float | None, **extra: Any) -> dict[str, Any]:
    manual = ind.manual
    fraction = 0.0 if manual and value is None else ind.scoring.fraction(value)
    return {
        "unit": unit,
        "indicator": ind.code,
        "value": None if value is None else round(value, 6),
        "score": round(ind.weight * fraction, 4),
        "manual": manual,
        "previous": previous,
        "warnings": _warnings(ind, value, previous, manual),
        "numerator": extra.get("numerator"),
        "denominator": extra.get("denominator"),
        "entry_id": extra.get("entry_id"),
    }


def _ratio(pair: tuple[float, float] | None, per: float) -> tuple[float | None, float | None, float | None]:
    if pair is None or not pair[1]:
        return None, (pair[0] if pair else None), (pair[1] if pair else None)
    return pair[0] / pair[1] * per, pair[0], pair[1]


def _computed_rows(
    scope: compute.Scope, model: MonitoringModel, ind: Indicator, prev: dict[tuple[str, str], float]
) -> list[dict[str, Any]]:
    assert ind.compute is not None
    counts = compute.KINDS[ind.compute.kind](scope, **ind.compute.params())
    district = _ratio(counts.district(), counts.per)
    rows = []
    for unit in units(model):
        if unit == model.district or not counts.split:
            value, num, den = district
        else:
            value, num, den = _ratio(counts.pairs.get(unit), counts.per)
        rows.append(_row(ind, unit, value, prev.get((unit, ind.code)), numerator=num, denominator=den))
    return rows


def latest_entries(
    ctx: Context, version: int, month: str, indicator: str | None = None
) -> dict[tuple[str, str], MonitoringEntry]:
    """The latest manual entry per (indicator, unit) of the month."""
    newest = (
        select(func.max(MonitoringEntry.id))
        .where(MonitoringEntry.model_version == version, MonitoringEntry.month == month)
        .group_by(MonitoringEntry.indicator, MonitoringEntry.unit)
    )
    if indicator is not None:
        newest = newest.where(MonitoringEntry.indicator == indicator)
    rows = ctx.session.scalars(select(MonitoringEntry).where(MonitoringEntry.id.in_(newest)))
    return {(e.indicator, e.unit): e for e in rows}


def _manual_rows(
    model: MonitoringModel,
    ind: Indicator,
    entries: dict[tuple[str, str], MonitoringEntry],
    prev: dict[tuple[str, str], float],
) -> list[dict[str, Any]]:
    """A township without its own entry takes the district's."""
    district = entries.get((ind.code, model.district))
    rows = []
    for unit in units(model):
        entry = entries.get((ind.code, unit)) or district
        value = entry.value if entry is not None else None
        rows.append(_row(ind, unit, value, prev.get((unit, ind.code)), entry_id=entry.id if entry else None))
    return rows


def _previous_values(ctx: Context, version: int, month: str) -> dict[tuple[str, str], float]:
    run = current_run(ctx, version, previous_month(month))
    if run is None:
        return {}
    rows = ctx.session.execute(
        select(MonitoringValue.unit, MonitoringValue.indicator, MonitoringValue.value).where(
            MonitoringValue.run_id == run.id, MonitoringValue.value.is_not(None)
        )
    )
    return {(u, i): v for u, i, v in rows}


def _totals(ctx: Context, run: MonitoringRun, model: MonitoringModel) -> None:
    """The run's district score and warning count from its value rows."""
    district = ctx.session.execute(
        select(func.coalesce(func.sum(MonitoringValue.score), 0.0)).where(
            MonitoringValue.run_id == run.id, MonitoringValue.unit == model.district
        )
    ).scalar_one()
    flags = ctx.session.scalars(
        select(MonitoringValue.warnings).where(MonitoringValue.run_id == run.id, MonitoringValue.unit == model.district)
    )
    run.district_score = round(float(district), 4)
    run.warnings = sum(1 for w in flags if w)


def _last_clean_start(ctx: Context, version: int) -> datetime | None:
    """When the latest run of ``version`` whose negative check passed began (None: none did, scan everything)."""
    started = ctx.session.scalar(
        select(func.max(MonitoringRun.started_at)).where(
            MonitoringRun.model_version == version, MonitoringRun.negative_ok.is_(True)
        )
    )
    if started is None:
        return None
    return started if started.tzinfo is not None else started.replace(tzinfo=UTC)


def run_month(ctx: Context, month: str, version: int | None = None) -> RunOut:
    """Compute and store the month (see the module docstring). Audited."""
    require(ctx, RUN)
    model = load_model(version or DEFAULT_VERSION)
    first, last = _month_window(ctx, month)
    started = time.perf_counter()
    scope = compute.Scope(ctx.session, first, last)
    prev = _previous_values(ctx, model.version, month)
    entries = latest_entries(ctx, model.version, month)
    rows: list[dict[str, Any]] = []
    for _, _, ind in model.indicators():
        rows += _manual_rows(model, ind, entries, prev) if ind.manual else _computed_rows(scope, model, ind, prev)
    since = _last_clean_start(ctx, model.version)
    findings = negative_check.run_check(ctx.session, model, since=since)
    ctx.session.execute(
        update(MonitoringRun)
        .where(MonitoringRun.model_version == model.version, MonitoringRun.month == month)
        .values(current=False)
    )
    run = MonitoringRun(
        model_version=model.version,
        month=month,
        as_of=last,
        current=True,
        district_score=0.0,
        warnings=0,
        negative_ok=not findings,
        negative=negative_check.as_json(findings),
        seconds=0.0,
        actor=ctx.actor[:128],
        started_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(run)
    ctx.session.flush()
    ctx.session.execute(insert(MonitoringValue), [{**r, "run_id": run.id} for r in rows])
    _totals(ctx, run, model)
    run.seconds = round(time.perf_counter() - started, 3)
    ctx.session.flush()
    audit.record(
        ctx,
        "monitoring.run",
        "monitoring_run",
        str(run.id),
        {
            "month": month,
            "version": model.version,
            "score": run.district_score,
            "warnings": run.warnings,
            "negative_findings": len(findings),
            "negative_scope": "full" if since is None else f"loaded since {since.isoformat()}",
        },
    )
    return RunOut.model_validate(run, from_attributes=True)


def _check_enterer(ctx: Context, ind: Indicator) -> int | None:
    """A department officer enters only indicators naming their department; returns the department id."""
    if ctx.role != "department_officer":
        return ctx.department_id
    dept = fetch(ctx.session, Department, ctx.department_id) if ctx.department_id else None
    if dept is None or dept.code not in ind.departments:
        raise PermissionDenied(ctx.role, ENTER, f"指标“{ind.name}”不由本部门填报，不能录入")
    return dept.id


def enter_value(
    ctx: Context, indicator: str, unit: str, value: float, evidence: str, month: str, version: int | None = None
) -> EntryOut:
    """Store a manual value with its evidence (see the module docstring). Audited."""
    require(ctx, ENTER)
    model = load_model(version or DEFAULT_VERSION)
    ind = model.indicator((indicator or "").strip())
    if not ind.manual:
        raise InvalidInput(f"指标“{ind.name}”由平台数据自动计算，不能手工录入", field="indicator")
    department_id = _check_enterer(ctx, ind)
    code = (unit or "").strip()
    if code not in units(model):
        raise InvalidInput(f"单位代码“{code[:12]}”不是区（{model.district}）或番禺区镇街代码", field="unit")
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0 or value > VALUE_MAX:
        raise InvalidInput(f"指标值 {value!r} 无效（应为 0 以上的数值）", field="value")
    if ind.unit_label in BOUNDED and value > 100:
        reason = f"指标“{ind.name}”的值以{ind.unit_label}计，应在 0–100 之间（收到 {value:g}）"
        raise InvalidInput(reason, field="value")
    proof = clean_text(evidence, "佐证材料说明", "evidence", max_len=EVIDENCE_MAX, min_len=4)
    _month_window(ctx, month)
    entry = MonitoringEntry(
        model_version=model.version,
        month=month,
        indicator=ind.code,
        unit=code,
        value=float(value),
        evidence=proof,
        department_id=department_id,
        entered_by=ctx.actor[:128],
        entered_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(entry)
    ctx.session.flush()
    run = current_run(ctx, model.version, month)
    if run is not None:
        prev = _previous_values(ctx, model.version, month)
        ctx.session.execute(
            delete(MonitoringValue).where(MonitoringValue.run_id == run.id, MonitoringValue.indicator == ind.code)
        )
        rows = _manual_rows(model, ind, latest_entries(ctx, model.version, month, ind.code), prev)
        ctx.session.execute(insert(MonitoringValue), [{**r, "run_id": run.id} for r in rows])
        _totals(ctx, run, model)
        ctx.session.flush()
    audit.record(
        ctx,
        "monitoring.enter",
        "monitoring_entry",
        str(entry.id),
        {"indicator": ind.code, "unit": code, "value": value, "month": month, "run": run.id if run else None},
    )
    out = EntryOut.model_validate(entry, from_attributes=True)
    out.applied_to_run = run.id if run else None
    return out
