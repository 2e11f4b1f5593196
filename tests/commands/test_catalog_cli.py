"""``xinyong catalog``: list and show the resource catalogue (table and JSON) and write an item's template; and
``xinyong intake feedback``: write a batch's feedback workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner, Result

from factories import uscc
from xinyong.auth.context import system_context
from xinyong.catalog.items import load_catalog
from xinyong.cli import app
from xinyong.db.session import session_scope
from xinyong.intake import service
from xinyong.intake.feedback import REASON_HEADER, ROWS_SHEET
from xinyong.intake.templates import DATA_SHEET, GUIDE_SHEET
from xinyong.subjects.models import Department

ITEMS = ["licence", "penalty", "housing_fund_arrears", "social_insurance_arrears", "utility_arrears"]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["catalog", *args])


def assert_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("错误: ") and fragment in result.stderr
    assert "Traceback" not in result.output


def test_list_as_json() -> None:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    ids = [i["id"] for i in items]
    assert ids[:2] == ITEMS[:2] and [i for i in ids if i in ITEMS] == ITEMS  # 双公示 first, then by id
    penalty = items[1]
    assert penalty == {
        "id": "penalty",
        "name": "行政处罚信息",
        "version": 2,
        "sharing": "public",
        "sharing_label": "公开",
        "field_count": len(load_catalog().item("penalty").fields),
        "dual_publicity": True,
        "deadline": "决定（认定）之日起 7 个工作日内（区市场监管局 20 个工作日）",
        "deadline_workdays": 7,
        "deadline_overrides": {"scjgj": 20},
        "update_frequency": "实时：决定作出后7个工作日内报送",
    }
    utility = next(i for i in items if i["id"] == "utility_arrears")
    assert (utility["sharing_label"], utility["deadline_workdays"]) == ("有条件共享", 20)


def test_list_as_table() -> None:
    result = run("list")
    assert result.exit_code == 0, result.output
    for text in ("公共信用信息资源目录", "社会保险费欠缴信息", "有条件共享", "每月：次月内报送上月认定的欠缴信息"):
        assert text in result.stdout


def test_show_as_json() -> None:
    result = run("show", "utility_arrears", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "水、电、燃气欠费信息"
    assert "工作要点 （十一）" in data["source"]
    fields = {f["key"]: f for f in data["fields"]}
    assert fields["utility_type"] == {
        "key": "utility_type",
        "label": "欠费类别",
        "type": "enum",
        "required": "required",
        "rule": "必填",
        "sharing": "public",
        "sharing_label": "公开",
        "values": ["水费", "电费", "燃气费"],
        "help": "",
    }
    assert (fields["contact_phone"]["sharing"], fields["uscc"]["required"]) == ("restricted", "conditional")


def test_show_as_table() -> None:
    result = run("show", "social_insurance_arrears")
    assert result.exit_code == 0, result.output
    for text in ("社会保险费欠缴信息", "认定日期", "条件必填", "不予共享", "欠缴金额（万元）"):
        assert text in result.stdout


def test_unknown_item_is_one_chinese_line() -> None:
    assert_error(run("show", "gas_bills"), "资源目录中没有数据项 'gas_bills'")
    assert_error(run("template", "gas_bills", "-o", "x.xlsx"), "资源目录中没有数据项")


def test_template_is_written(tmp_path: Path) -> None:
    target = tmp_path / "penalty.xlsx"
    result = run("template", "penalty", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "已生成 行政处罚信息（第 2 版）报送模板" in result.stdout
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:2] == [DATA_SHEET, GUIDE_SHEET]
    assert [c.value for c in book[DATA_SHEET][1]] == [f.label for f in load_catalog().item("penalty").fields]


def test_template_to_an_unwritable_path_is_one_chinese_line(tmp_path: Path) -> None:
    assert_error(run("template", "penalty", "-o", str(tmp_path / "missing" / "t.xlsx")), "无法写入")


# --------------------------------------------------------------------------------------------- intake feedback
# ``xinyong intake feedback`` is appended to commands/intake.py by the catalogue/feedback work: tested here.
def _rejected_batch() -> int:
    """A rejected JSON batch of 市场监管局 in the CLI's database (one bad 处罚类别); its id."""
    code = uscc(3001, authority="1", org_type="1")
    row = {
        "行政相对人名称": "广州禾丰贸易有限公司",
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": uscc(3002),
        "工商注册号": "",
        "法定代表人": "张三",
        "证件类型": "",
        "证件号码": "",
        "行政处罚决定书文号": "番市监罚〔2026〕88号",
        "违法行为类型": "无照经营",
        "违法事实": "事实",
        "处罚依据": "依据",
        "处罚类别": "罚金",
        "处罚内容": "罚款",
        "处罚决定日期": "2026-11-20",
        "处罚有效期": "2027-11-19",
        "处罚机关": "广州市番禺区市场监督管理局",
        "处罚机关统一社会信用代码": code,
    }
    with session_scope() as session:
        department = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc=code)
        session.add(department)
        session.flush()
        summary = service.submit_rows(system_context(session), "penalty", department.id, [row])
    assert summary.status == "rejected"
    return summary.batch_id


def test_intake_feedback_writes_the_workbook(cli_db: str, tmp_path: Path, monkeypatch) -> None:
    batch_id = _rejected_batch()
    target = tmp_path / "fb.xlsx"
    result = CliRunner().invoke(app, ["intake", "feedback", str(batch_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"已生成报送批次 {batch_id} 的校验反馈表" in result.stdout
    sheet = openpyxl.load_workbook(target)[ROWS_SHEET]
    header = [c.value for c in sheet[1]]
    assert "处罚类别" in sheet.cell(row=2, column=header.index(REASON_HEADER) + 1).value
    monkeypatch.chdir(tmp_path)
    default = CliRunner().invoke(app, ["intake", "feedback", str(batch_id)])
    assert default.exit_code == 0, default.output
    assert (tmp_path / f"intake_batch_{batch_id}_feedback.xlsx").exists()


def test_intake_feedback_of_an_unknown_batch(cli_db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["intake", "feedback", "424242", "-o", str(tmp_path / "x.xlsx")])
    assert_error(result, "报送批次 424242 不存在")
