"""``xinyong inspect``: the draw preview (exact JSON keys, byte-identical output), a plan from creation to a verified
published draw with a result, the pool and conflicts, and bad input exiting 2 — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import departments, uscc
from inspection_factories import make_district
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine

DRAW = ("draw", "--as-of", "2026-11-27", "--ratios", "A=0.02,B=0.05,C=1,D=1", "--seed", "20261127", "--json")


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The supervision district: 24 graded firms, six inspectors of 市场监管局, an evaluation run."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        make_district(system_context(session, "setup"), session, departments(session))
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["inspect", *args])


def test_draw_json_is_byte_identical_with_the_documented_keys_first(cli_db: str) -> None:
    first, second = run(*DRAW), run(*DRAW)
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes
    body = json.loads(first.stdout)
    assert list(body)[:5] == ["seed", "candidates_hash", "candidates_by_grade", "drawn_by_grade", "tasks"]
    assert (body["seed"], body["algorithm"], body["model"]) == ("20261127", "xinyong-draw-1", "general")
    assert body["candidates_by_grade"] == {"A": 20, "B": 0, "C": 4, "D": 0}
    assert body["drawn_by_grade"] == {"A": 1, "B": 0, "C": 4, "D": 0}
    assert [t["position"] for t in body["tasks"]] == [1, 2, 3, 4, 5]
    assert set(body["tasks"][0]) == {"position", "subject_id", "uscc", "grade", "inspectors"}
    assert all(t["inspectors"] == [] for t in body["tasks"])
    staffed = run(*DRAW, "--department", "scjgj")
    assert staffed.exit_code == 0, staffed.output
    assert staffed.stdout_bytes == run(*DRAW, "--department", "scjgj").stdout_bytes
    assert all(len(t["inspectors"]) == 2 for t in json.loads(staffed.stdout)["tasks"])
    other_seed = json.loads(run(*DRAW[:-2], "other", "--json").stdout)
    assert other_seed["candidates_hash"] == body["candidates_hash"] and other_seed["seed"] == "other"


def test_draw_without_an_evaluation_run_grades_transiently(cli_db: str) -> None:
    result = run("draw", "--as-of", "2026-11-01", "--ratios", "A=0,B=0,C=1,D=1", "--seed", "1", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["evaluation_run_id"] is None and body["candidates_by_grade"]["C"] == 4
    table = run("draw", "--as-of", "2026-11-27", "--ratios", "A=0.02,B=0.05,C=1,D=1", "--seed", "9")
    assert table.exit_code == 0 and "候选名单哈希" in table.stdout


def test_plan_lifecycle_and_a_colleagues_check(cli_db: str, tmp_path: Path) -> None:
    created = run(
        "plan", "create", "--title", "企业公示信息抽查", "--department", "scjgj", "--item", "scjg_gsxx",
        "--as-of", "2026-11-27", "--ratios", "A=0.02,B=0.05,C=1,D=1", "--seed", "20261127", "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    plan_id = json.loads(created.stdout)["id"]
    assert run("plan", "draw", str(plan_id)).exit_code == 0
    assert "已公示" in run("plan", "publish", str(plan_id)).stdout
    shown = json.loads(run("plan", "show", str(plan_id), "--json").stdout)
    preview = json.loads(run(*DRAW).stdout)
    assert shown["plan"]["candidates_hash"] == preview["candidates_hash"]
    assert [t["subject_id"] for t in shown["tasks"]] == [t["subject_id"] for t in preview["tasks"]]
    task_id = shown["tasks"][0]["id"]
    entered = run("result", str(task_id), "--result", "not_disclosed", "--date", "2026-11-27", "--note", "年报未公示")
    assert entered.exit_code == 0, entered.output
    assert "未按规定公示应当公示的信息" in entered.stdout and "信用记录" in entered.stdout
    verified = run("plan", "verify", str(plan_id))
    assert verified.exit_code == 0 and "复核一致" in verified.stdout
    out = tmp_path / "candidates.csv"
    assert run("candidates", str(plan_id), "--out", str(out)).exit_code == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == shown["plan"]["candidates_hash"]
    listed = run("plan", "list")
    assert f"计划 {plan_id}（已公示）" in listed.stdout and "已录入结果 1 项" in listed.stdout


def test_pool_conflicts_and_items(cli_db: str) -> None:
    added = run(
        "inspectors", "add", "--name", "周建国", "--department", "scjgj", "--badge", "SJ900", "--town", "440113010"
    )
    assert added.exit_code == 0, added.output
    pool = json.loads(run("inspectors", "list", "--department", "scjgj", "--json").stdout)
    newcomer = next(i for i in pool if i["badge_no"] == "SJ900")
    assert (len(pool), newcomer["township_name"]) == (7, "桥南街道")
    made = run("conflicts", "add", "--inspector", str(newcomer["id"]), "--subject", uscc(1), "--reason", "近亲属任职")
    assert made.exit_code == 0, made.output
    assert json.loads(run("conflicts", "list", "--json").stdout)[0]["reason"] == "近亲属任职"
    assert "已停用" in run("inspectors", "deactivate", str(newcomer["id"])).stdout
    items = json.loads(run("items", "--json").stdout)
    assert {"scjg_gsxx", "zj_jzsg", "xf_xfaq", "jy_xwpx", "rs_ldbz"} <= {i["code"] for i in items["items"]}
    assert "企业公示信息抽查" in run("items").stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("draw", "--as-of", "2026-11-27", "--ratios", "A=0.02,B=0.05,C=2,D=1", "--seed", "1"), "0 到 1"),
        (("draw", "--as-of", "2026-11-27", "--ratios", "A=0.02,B=0.05,C=1", "--seed", "1"), "缺少等级 D"),
        (("draw", "--as-of", "2026-11-27", "--ratios", "A=0.02,B=0.05,C=1,D=1", "--seed", "a|b"), "随机种子"),
        (("draw", "--as-of", "tomorrow", "--ratios", "A=0,B=0,C=1,D=1", "--seed", "1"), "--as-of"),
        (("draw", "--as-of", "2026-11-27", "--ratios", "A=0,B=0,C=1,D=1", "--seed", "1", "--department", "xx"), "xx"),
        (
            ("draw", "--as-of", "2026-11-27", "--ratios", "A=0,B=0,C=1,D=1", "--seed", "1", "--department", "sfj"),
            "为空",
        ),
        (("result", "1", "--result", "no_problem", "--date", "2026-11-27"), "不存在"),
        (("plan", "show", "99"), "不存在"),
        (("inspectors", "add", "--name", "周", "--department", "scjgj", "--badge", "X1"), "输入无效"),
        (
            (
                "plan",
                "create",
                "--title",
                "计划",
                "--department",
                "scjgj",
                "--item",
                "zj_jzsg",
                "--as-of",
                "2026-11-27",
                "--ratios",
                "A=0,B=0,C=1,D=1",
            ),
            "不能列入",
        ),
    ],
)
def test_bad_input_exits_2_with_a_chinese_reason(cli_db: str, args: tuple[str, ...], fragment: str) -> None:
    bad = run(*args)
    assert bad.exit_code == 2, bad.output
    assert bad.stderr.startswith("错误: ") and fragment in bad.stderr and "Traceback" not in bad.output
