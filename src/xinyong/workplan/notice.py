"""The period notice (通报) of the work-plan ledger as an .xlsx workbook or a PDF (A4 landscape, WeasyPrint, font
family "Noto Sans CJK SC").

A period is a month (``2021-06``) or a quarter (``2021-Q2``); the notice shows every item of that year's current
plan with its units by role, deadline, status and progress as of the period's last day, the latest report, and
how many reports came in during the period. Overdue items are highlighted and listed again on a second sheet.
"""

from __future__ import annotations

import calendar as _cal
import html
import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.workplan.queries import READ, plan_status
from xinyong.workplan.schemas import ItemRow, PlanStatus

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
OVERDUE_FILL = PatternFill("solid", fgColor="F8D7DA")
AT_RISK_FILL = PatternFill("solid", fgColor="FFF3CD")
HEADERS = (
    "序号",
    "工作任务",
    "牵头单位",
    "负责单位",
    "配合单位",
    "完成时限",
    "状态",
    "进度(%)",
    "最新进展",
    "本期报送",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATS = {"xlsx": XLSX, "pdf": PDF}
_PDF_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 9pt; }
h1 { font-size: 14pt; } table { border-collapse: collapse; width: 100%; }
table { table-layout: fixed; } th, td { border: 0.5pt solid #888; padding: 2pt 3pt; vertical-align: top; }
tr.overdue td { background: #f8d7da; } tr.at_risk td { background: #fff3cd; }
"""


@dataclass(frozen=True)
class Period:
    """A notice period: its label and first and last days."""

    text: str
    label: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.start.year


def parse_period(text: str) -> Period:
    """``YYYY-MM`` or ``YYYY-Qn`` (422 otherwise)."""
    value = (text or "").strip()
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            last = _cal.monthrange(year, month)[1]
            return Period(value, f"{year}年{month}月", date(year, month, 1), date(year, month, last))
    if m := _QUARTER.match(value):
        year, q = int(m[1]), int(m[2])
        if 2000 <= year <= 2100:
            end_month = q * 3
            last = _cal.monthrange(year, end_month)[1]
            label = f"{year}年第{'一二三四'[q - 1]}季度"
            return Period(value.upper(), label, date(year, end_month - 2, 1), date(year, end_month, last))
    raise InvalidInput(f"通报期间“{value[:20]}”无效（应为 2021-06 或 2021-Q2 形式）", field="period")


def _units(row: ItemRow, role: str) -> str:
    return "、".join(dict.fromkeys(u.label for u in row.units if u.role == role))


def _latest(row: ItemRow) -> str:
    if row.latest is None:
        return "（尚无报送）"
    p = row.latest
    return f"{p.reported_on.isoformat()} {p.unit_label}：{p.note}"


def _sheet_rows(ws: Worksheet, rows: list[ItemRow]) -> None:
    ws.append(HEADERS)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(
            (
                f"（{r.numeral}）",
                r.title,
                _units(r, "lead"),
                _units(r, "responsible"),
                _units(r, "supporting"),
                r.deadline.isoformat(),
                r.status_label,
                r.percent,
                _latest(r),
                r.reports_in_period,
            )
        )
        fill = OVERDUE_FILL if r.status == "overdue" else AT_RISK_FILL if r.status == "at_risk" else None
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if fill is not None:
                cell.fill = fill
    for col, width in zip("ABCDEFGHIJ", (7, 30, 18, 30, 18, 12, 10, 8, 50, 8), strict=True):
        ws.column_dimensions[col].width = width


def build_notice(status: PlanStatus, period: Period) -> bytes:
    """The workbook of ``status`` (computed as of ``period.end``)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    ws.append((_title(status, period),))
    ws["A1"].font = Font(bold=True, size=14)
    summary = "，".join(f"{k} {v} 项" for k, v in status.counts.items())
    ws.append(
        (f"统计截至 {period.end.isoformat()}（第 {status.plan.version} 版，共 {len(status.items)} 项）：{summary}",)
    )
    ws.append(())
    _sheet_rows(ws, status.items)
    late = wb.create_sheet("逾期事项")
    late.append((f"截至 {period.end.isoformat()} 逾期未完成的工作任务",))
    late["A1"].font = Font(bold=True)
    _sheet_rows(late, [r for r in status.items if r.status == "overdue"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(status: PlanStatus, period: Period) -> str:
    return f"{status.plan.title}落实情况通报（{period.label}）"


def build_notice_pdf(status: PlanStatus, period: Period) -> bytes:
    """The notice as a PDF: the same columns as the workbook, overdue and at-risk rows shaded."""
    from weasyprint import HTML  # imported on use: WeasyPrint loads Pango and fontconfig

    e = html.escape
    widths = (6, 14, 9, 18, 9, 8, 6, 5, 19, 6)  # per cent of the row, one per header
    head = "".join(f'<th style="width:{w}%">{e(h)}</th>' for h, w in zip(HEADERS, widths, strict=True))
    rows = []
    for r in status.items:
        cells = (
            f"（{r.numeral}）",
            r.title,
            _units(r, "lead"),
            _units(r, "responsible"),
            _units(r, "supporting"),
            r.deadline.isoformat(),
            r.status_label,
            str(r.percent),
            _latest(r),
            str(r.reports_in_period),
        )
        rows.append(f'<tr class="{r.status}">' + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    summary = "，".join(f"{k} {v} 项" for k, v in status.counts.items())
    page = (
        f'<html lang="zh-CN"><head><meta charset="utf-8"><style>{_PDF_CSS}</style></head><body>'
        f"<h1>{e(_title(status, period))}</h1><p>统计截至 {period.end.isoformat()}（第 {status.plan.version} 版）："
        f"{e(summary)}</p><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>"
    )
    pdf = HTML(string=page).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf


def notice(ctx: Context, period_text: str, year: int | None = None, fmt: str = "xlsx") -> tuple[Period, bytes]:
    """The notice of the period for a reader with ``workplan.read`` (audited: who produced which notice). The plan
    is the period's year's unless ``year`` names another (a January notice on last year's plan)."""
    require(ctx, READ)
    if fmt not in FORMATS:
        raise InvalidInput(f"通报格式“{fmt[:10]}”无效（应为 xlsx 或 pdf）", field="format")
    period = parse_period(period_text)
    status = plan_status(ctx.session, year or period.year, period.end, since=period.start)
    data = build_notice_pdf(status, period) if fmt == "pdf" else build_notice(status, period)
    audit.record(
        ctx,
        "workplan.notice",
        "work_plan",
        str(status.plan.id),
        {"period": period.text, "format": fmt, "overdue": [r.numeral for r in status.items if r.status == "overdue"]},
    )
    return period, data
