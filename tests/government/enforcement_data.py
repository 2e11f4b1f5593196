"""Shared setup of the enforcement-case tests (issue #11 item 4): a court notice file built from rows, and three
town offices on the register (setup only; no tests in this module)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.government.models import PublicBody

HEADERS = (
    "案号",
    "执行法院",
    "被执行人名称",
    "被执行人统一社会信用代码",
    "申请执行人",
    "执行标的金额（元）",
    "立案日期",
    "案由",
)
COURT = "广州市番禺区人民法院"
PERIOD = "2026-10"


def towns(ctx: Context) -> list[PublicBody]:
    """Three township offices: two answered for by 市桥街道, one by 大龙街道."""
    return [g.town_office(ctx, 1, g.SHIQIAO), g.town_office(ctx, 2, g.SHIQIAO), g.town_office(ctx, 3, g.DALONG)]


def row(
    body: PublicBody, n: int, *, amount: str = "125000.50", filed: str = "2026-10-09", code: bool = True
) -> list[str]:
    """A notice row of a case against ``body`` (case number n)."""
    return [
        f"（2026）粤0113执{n}号",
        COURT,
        body.name,
        body.uscc if code else "",
        f"广州市番禺测试建材{n}有限公司",
        amount,
        filed,
        "建设工程施工合同纠纷",
    ]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", headers: tuple[str, ...] = HEADERS) -> bytes:
    """The rows as a CSV file in ``encoding`` (``utf-8-sig`` for a BOM, ``gbk``)."""
    lines = [",".join(headers), *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]], headers: tuple[str, ...] = HEADERS) -> bytes:
    """The rows as an .xlsx workbook (first sheet)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
