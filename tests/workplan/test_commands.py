"""``xinyong workplan``: load the 2021 plan from a file (a garbled file exits 2 with every problem line), list the
items, show item 十一, record the market bureau's progress (an off-item unit exits 2), write the notice .xlsx; on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from workplan.plans import PLAN_2021, garbled
from xinyong.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["workplan", *args])


def test_load_items_progress_and_notice(cli_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(garbled(), encoding="utf-8")
    refused = run("load", str(bad), "--year", "2021")
    assert refused.exit_code == 2
    assert "第 8 行" in refused.stderr and "第 27 行" in refused.stderr

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN_2021, encoding="utf-8")
    loaded = run("load", str(plan), "--year", "2021", "--json")
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout)["plan"]["items"] == 18
    assert "未改动" in run("load", str(plan), "--year", "2021").stdout

    listing = run("items", "--year", "2021", "--as-of", "2021-06-30")
    assert listing.exit_code == 0
    assert listing.stdout.count("（") >= 18 and "加强和规范信用信息归集共享" in listing.stdout

    reported = run(
        "progress", "11", "--year", "2021", "--unit", "scjgj", "--note", "重错码率 0.004%", "--percent", "50"
    )
    assert reported.exit_code == 0, reported.output
    off = run("progress", "4", "--year", "2021", "--unit", "scjgj", "--note", "越权")
    assert off.exit_code == 2 and "区市场监管局不是第（四）项" in off.stderr

    shown = json.loads(run("item", "11", "--year", "2021", "--json").stdout)
    assert shown["history"][0]["unit_code"] == "scjgj" and shown["targets"][0]["metric"] == "重错码率"

    out = tmp_path / "notice.xlsx"
    made = run("notice", "--period", "2022-01", "--year", "2021", "--out", str(out))
    assert made.exit_code == 0, made.output
    late = load_workbook(BytesIO(out.read_bytes()))["逾期事项"]
    assert len(list(late.iter_rows(min_row=3))) == 18
    assert run("notice", "--period", "2021-06", "--out", str(tmp_path / "x.csv")).exit_code == 2
