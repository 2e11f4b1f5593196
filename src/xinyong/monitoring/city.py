"""The city's published district results (全市各区信用监测排名, issue #12 item 4) beside our own computed score.

* ``enter_results`` (``monitoring.city_results``, the credit office): the city's table for a month as published
  (district, score, rank, source document). Checked: the month (``YYYY-MM``, not in the future, not before 2015),
  every score within 0–100, every rank ≥ 1, each district once, exactly one row flagged as our district, the
  source named. Stored as new rows (never edited, audited once per entry set).
* A correction is entered the same way: the latest row of each district counts (an entry set must still name our
  district, so the comparison always knows which row is ours: the latest row flagged ``own``).
* ``comparison`` (``monitoring.read``): the month's current table, our district's published score beside the
  platform's own computed district score of the same month (the current monitoring run, 2020 model), the
  difference, where our computed score would rank among the other districts, and the explanation: manual
  indicators not entered for the month score 0 on our side (their weight is named); the city scores from its
  own sources (the national platform's monitoring), which the platform cannot see.
"""

from __future__ import annotations

import math
from datetime import UTC

from sqlalchemy import func, select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.monitoring.model_yaml import DEFAULT_VERSION, load_model
from xinyong.monitoring.models import CityResult, MonitoringRun, MonitoringValue
from xinyong.monitoring.schemas import (
    CITY_RESULTS_MAX,
    DISTRICT_MAX,
    SOURCE_MAX,
    CityComparison,
    CityMonth,
    CityResultIn,
    CityResultOut,
)
from xinyong.monitoring.service import READ, _month_window, current_run, parse_month
from xinyong.records.cases import clean_text

ENTER = "monitoring.city_results"


def _check_rows(results: list[CityResultIn]) -> list[CityResultIn]:
    if not results:
        raise InvalidInput("请至少录入一个区的结果", field="results")
    if len(results) > CITY_RESULTS_MAX:
        raise InvalidInput(f"一次最多录入 {CITY_RESULTS_MAX} 个区（收到 {len(results)} 个）", field="results")
    seen: set[str] = set()
    cleaned = []
    for n, r in enumerate(results, 1):
        name = clean_text(r.district, f"第 {n} 行的区名", "district", max_len=DISTRICT_MAX, min_len=1)
        if name in seen:
            raise InvalidInput(f"第 {n} 行：“{name}”在本次录入中重复出现", field="district")
        seen.add(name)
        if not isinstance(r.score, int | float) or not math.isfinite(r.score) or not 0 <= r.score <= 100:
            raise InvalidInput(f"第 {n} 行：{name} 的得分 {r.score!r} 应在 0–100 之间", field="score")
        if r.rank is not None and r.rank < 1:
            raise InvalidInput(f"第 {n} 行：{name} 的名次 {r.rank} 应为 1 以上的整数", field="rank")
        cleaned.append(r.model_copy(update={"district": name, "score": float(r.score)}))
    own = [r.district for r in cleaned if r.own]
    if len(own) != 1:
        named = "、".join(own) if own else "无"
        raise InvalidInput(f"每次录入须恰好标记一个本区（当前标记：{named}）", field="own")
    return cleaned


def parse_lines(lines: list[str], own: str) -> list[CityResultIn]:
    """``区名,得分[,名次]`` lines (comma, full-width comma or tab) into results, ``own`` flagged; a bad line raises
    ``InvalidInput`` naming its number."""
    rows = []
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise InvalidInput(f"第 {n} 行“{line[:40]}”应为“区名,得分[,名次]”", field="results")
        try:
            score = float(parts[1])
            rank = int(parts[2]) if len(parts) == 3 and parts[2] else None
        except ValueError:
            raise InvalidInput(f"第 {n} 行“{line[:40]}”的得分或名次不是数字", field="results") from None
        rows.append(CityResultIn(district=parts[0][:40], score=score, rank=rank, own=parts[0] == own.strip()))
    return rows


def enter_results(ctx: Context, month: str, results: list[CityResultIn], source: str) -> list[CityResultOut]:
    """Store the city's table for ``month`` (see the module docstring). Audited."""
    require(ctx, ENTER)
    text = (month or "").strip()
    _month_window(ctx, text)
    rows = _check_rows(list(results))
    where = clean_text(source, "来源文件（名称、文号与日期）", "source", max_len=SOURCE_MAX, min_len=4)
    at = ctx.at.astimezone(UTC)
    stored = [
        CityResult(
            month=text,
            district=r.district,
            own=r.own,
            score=r.score,
            rank=r.rank,
            source=where,
            entered_by=ctx.actor[:128],
            entered_at=at,
        )
        for r in rows
    ]
    ctx.session.add_all(stored)
    ctx.session.flush()
    own = next(r for r in rows if r.own)
    audit.record(
        ctx,
        "monitoring.city_results",
        "monitoring_city_result",
        text,
        {
            "month": text,
            "districts": len(rows),
            "own": own.district,
            "own_score": own.score,
            "own_rank": own.rank,
            "source": where[:200],
            "ids": [s.id for s in stored],
        },
    )
    return [CityResultOut.model_validate(s, from_attributes=True) for s in stored]


def current_results(ctx: Context, month: str) -> tuple[list[CityResult], CityResult | None, int]:
    """The latest row of each district for the month (ranked order), our district's row, all rows entered."""
    newest = select(func.max(CityResult.id)).where(CityResult.month == month).group_by(CityResult.district)
    rows = list(ctx.session.scalars(select(CityResult).where(CityResult.id.in_(newest))))
    own_id = ctx.session.scalar(select(func.max(CityResult.id)).where(CityResult.month == month, CityResult.own))
    own = next((r for r in rows if r.district == _district_of(ctx, own_id)), None) if own_id else None
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -r.score, r.district))
    entered = int(ctx.session.scalar(select(func.count()).where(CityResult.month == month)) or 0)
    return rows, own, entered


def _district_of(ctx: Context, row_id: int | None) -> str | None:
    return ctx.session.scalar(select(CityResult.district).where(CityResult.id == row_id)) if row_id else None


def _out(row: CityResult, own: CityResult | None) -> CityResultOut:
    out = CityResultOut.model_validate(row, from_attributes=True)
    out.own = own is not None and row.district == own.district
    return out


def _missing_manual(ctx: Context, run: MonitoringRun) -> tuple[list[str], float]:
    """Manual indicators without a district value in the run (they score 0 on our side) and their weight."""
    model = load_model(run.model_version)
    empty = set(
        ctx.session.scalars(
            select(MonitoringValue.indicator).where(
                MonitoringValue.run_id == run.id,
                MonitoringValue.unit == model.district,
                MonitoringValue.manual.is_(True),
                MonitoringValue.value.is_(None),
            )
        )
    )
    found = [(i.name, i.weight) for _, _, i in model.indicators() if i.code in empty]
    return [name for name, _ in found], round(sum(w for _, w in found), 4)


def _explain(
    own: CityResultOut | None, ours: float | None, missing: list[str], weight: float, rank: int | None
) -> list[str]:
    lines = []
    if own is None:
        lines.append("本月尚未录入市公布结果。")
    if ours is None:
        lines.append("本平台尚未计算本月监测指标（计算后可对照）。")
    if own is None or ours is None:
        return lines
    diff = round(own.score - ours, 2)
    if diff == 0:
        lines.append("市公布得分与本平台自算得分一致。")
    else:
        side = "高于" if diff > 0 else "低于"
        lines.append(f"市公布得分{side}本平台自算得分 {abs(diff):.2f} 分。")
    if missing:
        lines.append(
            f"本平台自算时有 {len(missing)} 项手工指标未填报（{'、'.join(missing)}），按 0 分计，合计 {weight:g} 分；"
            "填报佐证后重算可缩小差距。"
        )
    lines.append(
        "市级结果由市依据其掌握的数据（含全国城市信用监测平台的监测数据）评定，本平台按 2020 版指标模型仅以本平台数据"
        "和责任单位填报值计算，口径不完全相同。"
    )
    if rank is not None and own.rank is not None and rank != own.rank:
        lines.append(f"按本平台自算得分，本区在全市可排第 {rank} 名（市公布第 {own.rank} 名）。")
    return lines


def comparison(ctx: Context, month: str) -> CityComparison:
    """The month's city table beside our computed score (see the module docstring)."""
    require(ctx, READ)
    text = (month or "").strip()
    parse_month(text)
    rows, own_row, entered = current_results(ctx, text)
    results = [_out(r, own_row) for r in rows]
    own = next((r for r in results if r.own), None)
    run = current_run(ctx, DEFAULT_VERSION, text)
    ours = round(run.district_score, 2) if run is not None else None
    missing, weight = _missing_manual(ctx, run) if run is not None else ([], 0.0)
    rank = None
    if ours is not None and results:
        rank = 1 + sum(1 for r in results if not r.own and r.score > ours)
    return CityComparison(
        month=text,
        results=results,
        own=own,
        computed_score=ours,
        computed_run_id=run.id if run is not None else None,
        difference=round(own.score - ours, 2) if own is not None and ours is not None else None,
        computed_rank=rank,
        missing_manual=missing,
        missing_weight=weight,
        explanation=_explain(own, ours, missing, weight, rank),
        rows_entered=entered,
    )


def months(ctx: Context) -> list[CityMonth]:
    """Every month with city results, newest first: our published score and rank, our computed score."""
    require(ctx, READ)
    listed = [m for (m,) in ctx.session.execute(select(CityResult.month).distinct().order_by(CityResult.month.desc()))]
    out = []
    for m in listed:
        rows, own, _ = current_results(ctx, m)
        run = current_run(ctx, DEFAULT_VERSION, m)
        out.append(
            CityMonth(
                month=m,
                own_score=own.score if own else None,
                own_rank=own.rank if own else None,
                districts=len(rows),
                computed_score=round(run.district_score, 2) if run is not None else None,
            )
        )
    return out
