"""The city's published district results (issue #12 item 4): the credit office enters a month's table (checked:
month, scores, ranks, districts once, exactly one own district, source), a correction is a new entry whose rows
count, the comparison sets our published score beside our own computed one and explains the difference; other
roles cannot enter; the CLI adds and shows (bad input exits 2). SQLite and PostgreSQL. The API and the page:
tests/web/test_monitoring_city.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from monitoring import monitoring_data as md
from xinyong.auth.audit import AuditEvent
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.cli import app
from xinyong.errors import InvalidInput
from xinyong.monitoring import city, service
from xinyong.monitoring.models import CityResult
from xinyong.monitoring.schemas import CityResultIn

SOURCE = "广州市信用办《2026年10月全市各区城市信用监测情况通报》（穗信用办〔2026〕30号，2026-11-10）"
MONTH = "2026-10"


def table(own_score: float = 86.5) -> list[CityResultIn]:
    return [
        CityResultIn(district="天河区", score=90.2, rank=1),
        CityResultIn(district="越秀区", score=88.0, rank=2),
        CityResultIn(district="番禺区", score=own_score, rank=3, own=True),
        CityResultIn(district="白云区", score=70.0, rank=4),
    ]


def test_enter_compare_and_correct(ctx: Context, db: Session) -> None:
    md.everything(ctx)
    run = service.run_month(ctx, MONTH)

    before = city.comparison(ctx, MONTH)
    assert before.own is None and before.results == [] and before.computed_score == round(run.district_score, 2)
    assert "本月尚未录入市公布结果。" in before.explanation

    stored = city.enter_results(ctx, MONTH, table(), SOURCE)
    assert [r.district for r in stored] == ["天河区", "越秀区", "番禺区", "白云区"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "monitoring.city_results")).one()
    assert event.target_id == MONTH and event.detail["own"] == "番禺区" and event.detail["districts"] == 4

    seen = city.comparison(ctx, MONTH)
    assert seen.own is not None and seen.own.district == "番禺区" and seen.own.score == 86.5
    ours = round(run.district_score, 2)
    assert seen.computed_score == ours and seen.difference == round(86.5 - ours, 2)
    assert seen.computed_rank == 1 + sum(1 for s in (90.2, 88.0, 70.0) if s > ours)
    # manual indicators were not entered for October: named, with their weight, as part of the explanation
    assert seen.missing_manual and seen.missing_weight > 0
    assert any("手工指标未填报" in line and f"{seen.missing_weight:g} 分" in line for line in seen.explanation)
    assert any(("高于" if ours < 86.5 else "低于") in line for line in seen.explanation)

    # a correction: our district's score and 白云区's rank; the latest row of each district counts
    city.enter_results(
        ctx,
        MONTH,
        [
            CityResultIn(district="番禺区", score=87.0, rank=3, own=True),
            CityResultIn(district="白云区", score=71, rank=5),
        ],
        "穗信用办〔2026〕31号 更正通知",
    )
    corrected = city.comparison(ctx, MONTH)
    rows = {r.district: r for r in corrected.results}
    assert rows["番禺区"].score == 87.0 and rows["白云区"].rank == 5 and rows["天河区"].score == 90.2
    assert len(corrected.results) == 4 and corrected.rows_entered == 6
    assert [r.district for r in corrected.results][:3] == ["天河区", "越秀区", "番禺区"]
    assert db.scalar(select(CityResult).where(CityResult.score == 86.5)) is not None  # history kept

    listed = city.months(ctx)
    assert [(m.month, m.own_score, m.own_rank, m.districts) for m in listed] == [(MONTH, 87.0, 3, 4)]


@pytest.mark.parametrize(
    ("month", "rows", "field"),
    [
        ("2026-13", table(), "month"),
        ("2026/10", table(), "month"),
        ("2026-12", table(), "month"),  # in the future (today is 2026-11-27)
        (MONTH, [*table()[:3], CityResultIn(district="白云区", score=101, rank=4)], "score"),
        (MONTH, [*table()[:3], CityResultIn(district="白云区", score=-1, rank=4)], "score"),
        (MONTH, [*table()[:3], CityResultIn(district="白云区", score=70, rank=0)], "rank"),
        (MONTH, [*table(), CityResultIn(district="天河区", score=80, rank=5)], "district"),
        (MONTH, [r.model_copy(update={"own": False}) for r in table()], "own"),
        (MONTH, [*table(), CityResultIn(district="海珠区", score=80, rank=5, own=True)], "own"),
        (MONTH, [], "results"),
    ],
)
def test_bad_tables_are_refused(ctx: Context, db: Session, month: str, rows: list[CityResultIn], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        city.enter_results(ctx, month, rows, SOURCE)
    assert refused.value.field == field
    assert db.scalar(select(CityResult)) is None


def test_source_is_required(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as refused:
        city.enter_results(ctx, MONTH, table(), "  ")
    assert refused.value.field == "source"


def test_only_the_credit_office_enters(ctx: Context) -> None:
    data = md.base(ctx)
    for role, department in (("department_officer", data.market.id), ("regulator", None)):
        officer = Context(session=ctx.session, actor="x", role=role, department_id=department)
        with pytest.raises(PermissionDenied):
            city.enter_results(officer, MONTH, table(), SOURCE)
        assert city.comparison(officer, MONTH).results == []  # but reads
    office = Context(session=ctx.session, actor="office", role="credit_office_staff")
    assert len(city.enter_results(office, MONTH, table(), SOURCE)) == 4


# --------------------------------------------------------------------------------------------- the CLI
def cli(*args: str) -> Result:
    return CliRunner().invoke(app, ["monitoring", "city-results", *args])


def test_cli_add_and_show(cli_db: str, tmp_path: Path) -> None:
    csv = tmp_path / "city.csv"
    csv.write_text("# 区名,得分,名次\n天河区,90.2,1\n越秀区，88,2\n白云区\t70\t4\n", encoding="utf-8")
    added = cli("add", "--month", MONTH, "--source", SOURCE, "--row", "番禺区,86.5,3", "--file", str(csv))
    assert added.exit_code == 0, added.output
    assert "4 个区" in added.output and "番禺区 86.5 分，第 3 名" in added.output
    assert CliRunner().invoke(app, ["monitoring", "run", "--month", MONTH]).exit_code == 0

    shown = cli("show", "--month", MONTH, "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["own"]["score"] == 86.5 and data["computed_score"] is not None and data["difference"] is not None
    text = cli("show", "--month", MONTH)
    assert "← 本区" in text.output and "本平台自算全区得分" in text.output
    assert MONTH in cli("show").output

    for args, reason in (
        (["--row", "番禺区,abc,3"], "不是数字"),
        (["--row", "番禺区,86,3", "--row", "番禺区,80,4"], "重复"),
        (["--row", "天河区,86,3"], "恰好标记一个本区"),
        (["--row", "番禺区,120,3"], "0–100"),
    ):
        refused = cli("add", "--month", MONTH, "--source", SOURCE, *args)
        assert refused.exit_code == 2 and reason in refused.output, refused.output
