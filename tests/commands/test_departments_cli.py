"""``xinyong departments add`` / ``list``: exit codes, warnings on stderr, JSON list, audit; SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner, Result

from factories import uscc
from testdb import rows
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.subjects.models import Department

CODE_A = uscc(201, authority="1", org_type="1")
CODE_B = uscc(202, authority="1", org_type="1")


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["departments", *args])


def test_add_then_list(cli_db: str) -> None:
    result = run("add", "scjgj", "广州市番禺区市场监督管理局", "--uscc", CODE_A)
    assert result.exit_code == 0, result.output
    assert "已登记部门" in result.stdout and result.stderr == ""
    result = run("add", CODE_B, "广州市番禺区司法局")
    assert result.exit_code == 0, result.output
    listed = run("list", "--json")
    assert listed.exit_code == 0
    data = json.loads(listed.stdout)
    assert [(d["code"], d["name"], d["uscc"]) for d in data] == [
        (CODE_B, "广州市番禺区司法局", CODE_B),
        ("scjgj", "广州市番禺区市场监督管理局", CODE_A),
    ]
    table = run("list")
    assert table.exit_code == 0 and "广州市番禺区司法局" in table.stdout
    assert [a for (a,) in rows(cli_db, select(AuditEvent.action))] == ["department.add", "department.add"]


def test_duplicate_exits_1_with_a_chinese_message(cli_db: str) -> None:
    assert run("add", "scjgj", "广州市番禺区市场监督管理局", "--uscc", CODE_A).exit_code == 0
    result = run("add", "other", "广州市番禺区市场监督管理局", "--uscc", CODE_B)
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr.startswith("错误: 部门名称")
    assert len(rows(cli_db, select(Department.id))) == 1


def test_missing_or_malformed_uscc_exits_2(cli_db: str) -> None:
    result = run("add", "sfj", "广州市番禺区司法局")
    assert result.exit_code == 2 and "统一社会信用代码" in result.stderr
    result = run("add", "sfj", "广州市番禺区司法局", "--uscc", "11999999MB0000001X")
    assert result.exit_code == 2 and "行政区划" in result.stderr
    assert "Traceback" not in result.output
    assert rows(cli_db, select(Department.id)) == []


def test_wrong_check_character_is_registered_with_a_warning(cli_db: str) -> None:
    wrong = CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")
    result = run("add", wrong, "广州市番禺区司法局")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("警告: ") and "校验码" in result.stderr
    assert rows(cli_db, select(Department.uscc)) == [(wrong,)]
