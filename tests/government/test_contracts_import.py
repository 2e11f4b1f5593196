"""Batch import of government contracts (issue #11 item 2): rows grouped by 合同编号, row-level reports in Chinese for
every kind of bad input, all or nothing (a file with any problem stores nothing), CSV (UTF-8, GBK) and xlsx.
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.errors import InvalidInput
from xinyong.government import contract_import, contracts
from xinyong.government.contract_import import COLUMNS, ContractImportInvalid
from xinyong.government.models import GovContract, GovContractTerm
from xinyong.subjects.models import Department

HEADER = list(COLUMNS)


def row(no: str, body: str, amount: str, seq: str, kind: str, due: str, term_amount: str, **kw: str) -> list[str]:
    """One term row of a contract signed on 2026-02-01 ending 2026-12-31 (``kw`` overrides columns by header)."""
    values = {
        "合同编号": no,
        "合同名称": f"{no}项目合同",
        "政府方名称": body,
        "政府方统一社会信用代码": "",
        "相对方名称": "广州市番禺建设工程有限公司",
        "相对方统一社会信用代码": "",
        "合同金额（元）": amount,
        "签订日期": "2026-02-01",
        "履行期限届满日": "2026-12-31",
        "节点序号": seq,
        "节点类型": kind,
        "节点说明": f"第{seq}期",
        "应履行日期": due,
        "节点金额（元）": term_amount,
    }
    values.update(kw)
    return [values[h] for h in HEADER]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def good_rows(body: str) -> list[list[str]]:
    return [
        row("HT-001", body, "300,000.00", "1", "履约节点", "2026-03-01", ""),
        row("HT-001", body, "300,000.00", "2", "付款节点", "2026-06-30", "100000"),
        row("HT-001", body, "300,000.00", "3", "付款", "2026/12/20", "200000.00元"),
        row("HT-002", body, "50000", "1", "payment", "2026-09-30", "50000"),
    ]


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_good_file_is_imported_grouped_by_number(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    result = contract_import.import_contracts(ctx, "合同.csv", csv_bytes(good_rows(office.name), "gbk"))
    assert (result.contracts, result.terms) == (2, 4)
    first = db.get(GovContract, result.contract_ids[0])
    assert first is not None and first.body_id == office.id and str(first.amount) == "300000.00"
    assert [t.kind for t in contracts.terms_of(ctx, first.id)] == ["milestone", "payment", "payment"]


def test_xlsx_by_code(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for r in good_rows(office.name):
        r[HEADER.index("政府方统一社会信用代码")] = office.uscc
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    result = contract_import.import_contracts(ctx, "合同.xlsx", out.getvalue())
    assert result.contracts == 2


def test_every_problem_is_reported_and_nothing_stored(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    contracts_before = _count(db, GovContract)
    contract_import.import_contracts(
        ctx, "a.csv", csv_bytes([row("HT-OLD", office.name, "10", "1", "付款", "2026-03-01", "10")])
    )
    rows = [
        *good_rows(office.name),  # rows 1-4 are fine
        row("HT-003", "广州市番禺区不存在的单位", "100", "1", "付款", "2026-03-01", "100"),  # 5 unknown body
        row("HT-004", office.name, "1000", "1", "付款", "2026-03-01", "600"),  # 6 sums to 900
        row("HT-004", office.name, "1000", "2", "付款", "2026-04-01", "300"),  # 7
        row("HT-005", office.name, "100", "1", "付款", "2026-03-01", "50"),  # 8
        row("HT-005", office.name, "200", "2", "付款", "2026-04-01", "50"),  # 9 header differs
        row("HT-006", office.name, "-5", "1", "付款", "2026-02-30", "abc"),  # 10 bad amount, date, term amount
        row("HT-OLD", office.name, "10", "1", "付款", "2026-03-01", "10"),  # 11 already registered
        row("HT-007", office.name, "100", "1", "租金", "2026-03-01", "100"),  # 12 unknown kind
    ]
    with pytest.raises(ContractImportInvalid) as caught:
        contract_import.import_contracts(ctx, "b.csv", csv_bytes(rows))
    errors = {(e.row, e.field): e.reason for e in caught.value.errors}
    assert "公共机构名录中没有" in errors[(5, "政府方名称")]
    assert "少 100.00 元" in errors[(6, "合同金额（元）")]
    assert "与第 8 行" in errors[(9, "合同金额（元）")]
    assert "不能为负数" in errors[(10, "合同金额（元）")]
    assert "日期不存在" in errors[(10, "应履行日期")]
    assert "金额格式不正确" in errors[(10, "节点金额（元）")]
    assert "已登记" in errors[(11, "合同编号")]
    assert "节点类型" in errors[(12, "节点类型")]
    assert not any(e.row <= 4 for e in caught.value.errors)
    assert caught.value.extra["errors"][0]["row"] == 5
    assert _count(db, GovContract) == contracts_before + 1  # only HT-OLD from the first file
    assert _count(db, GovContractTerm) == 1


def test_department_imports_only_its_bodies(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    own = g.body(ctx, "广州市番禺区市场监督管理局", 1, unit="scjgj")
    town = g.town_office(ctx, 2)
    officer = Context(session=db, actor="officer", role="department_officer", department_id=market.id)
    rows = [
        row("HT-A", own.name, "10", "1", "付款", "2026-03-01", "10"),
        row("HT-B", town.name, "10", "1", "付款", "2026-03-01", "10"),
    ]
    with pytest.raises(ContractImportInvalid) as caught:
        contract_import.import_contracts(officer, "c.csv", csv_bytes(rows))
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "政府方名称")]
    assert _count(db, GovContract) == 0
    assert contract_import.import_contracts(officer, "d.csv", csv_bytes(rows[:1])).contracts == 1


def test_file_level_problems(db: Session, ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="缺少列"):
        contract_import.import_contracts(ctx, "e.csv", "合同编号,合同名称\nA,B\n".encode())
    with pytest.raises(InvalidInput, match="文件为空"):
        contract_import.import_contracts(ctx, "e.csv", b"")
    with pytest.raises(ContractImportInvalid, match="没有数据行"):
        contract_import.import_contracts(ctx, "e.csv", csv_bytes([]))
