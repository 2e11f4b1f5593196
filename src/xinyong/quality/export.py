"""The scorecard as an Excel workbook (openpyxl): one sheet per month with Chinese headers, percentage
formats and a colour per grade, plus a 说明 sheet with the weights and grade thresholds and their sources.

Text cells go through ``csv_safe`` so a department name starting with ``=`` cannot become a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xinyong.auth.audit import csv_safe
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.quality.rules import METRICS, QualityRules, quality_rules
from xinyong.quality.schemas import Scorecard
from xinyong.quality.scorecard import catalogue_item, month_bounds, scorecard

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MONTHS = 24

# (field of DepartmentScore, header, number format, column width)
COLUMNS: tuple[tuple[str, str, str | None, int], ...] = (
    ("rank", "排名", "0", 6),
    ("department", "部门", None, 34),
    ("code", "部门代码", None, 12),
    ("records", "新增记录数", "0", 11),
    ("rows_submitted", "报送行数", "0", 10),
    ("validity_rate", "合规率", "0.00%", 10),
    ("timeliness_rate", "及时率", "0.00%", 10),
    ("late_rate", "迟报率", "0.00%", 10),
    ("completeness_rate", "完整率", "0.00%", 10),
    ("omissions", "瞒报数", "0", 8),
    ("omission_rate", "瞒报率", "0.00%", 10),
    ("correction_days", "纠错时效（工作日）", "0.00", 18),
    ("score", "综合得分", "0.00", 10),
    ("grade", "等级", None, 8),
)
TEXT_FIELDS = frozenset({"department", "code", "grade"})
METRIC_LABELS = {"validity": "合规率", "timeliness": "及时率", "completeness": "完整率", "omission": "1 − 瞒报率"}
# Fill colours for the grades, best first (green, blue, amber, red); further grades reuse the last one.
GRADE_FILLS = ("C6EFCE", "DDEBF7", "FFEB9C", "FFC7CE")
HEADER_ROW = 3


def _title(card: Scorecard) -> str:
    first, _ = month_bounds(card.month)
    what = catalogue_item(card.item).name if card.item else "全部数据项"
    return f"{first.year}年{first.month}月 数据归集质量通报（{what}）"


def _month_sheet(book: Workbook, card: Scorecard, rules: QualityRules) -> None:
    sheet = book.create_sheet(card.month)
    sheet["A1"] = csv_safe(_title(card))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        f"统计截止 {card.as_of.isoformat()}（含）；指标口径与权重为平台默认值，非官方公式"
        f"（rules/quality.yaml 第 {card.rules_version} 版，见“说明”表）；空白表示当月无可计量数据"
    )
    for index, (_, header, _, width) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for offset, row in enumerate(card.departments, 1):
        values = row.model_dump()
        for index, (name, _, number_format, _) in enumerate(COLUMNS, 1):
            value = values[name]
            if name in TEXT_FIELDS and value is not None:
                value = csv_safe(str(value))
            cell = sheet.cell(row=HEADER_ROW + offset, column=index, value=value)
            if number_format and value is not None:
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    if card.departments:
        grade_column = get_column_letter(len(COLUMNS))
        cells = f"{grade_column}{HEADER_ROW + 1}:{grade_column}{HEADER_ROW + len(card.departments)}"
        for position, grade in enumerate(rules.grades):
            colour = GRADE_FILLS[min(position, len(GRADE_FILLS) - 1)]
            fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
            sheet.conditional_formatting.add(
                cells, CellIsRule(operator="equal", formula=[f'"{grade.label}"'], fill=fill)
            )


def _notes_sheet(book: Workbook, rules: QualityRules) -> None:
    sheet = book.create_sheet("说明")
    lines: list[tuple[str, str, str]] = [
        ("口径", "数据归集质量指标没有官方公式，以下为平台默认口径（可配置）", rules.source),
        (
            "综合得分",
            "100 × Σ 权重 × 指标 ÷ Σ 权重（只计当月可计量的指标）",
            f"rules/quality.yaml 第 {rules.version} 版",
        ),
    ]
    lines += [(f"权重：{METRIC_LABELS[m]}", f"{rules.weight(m):g}", rules.weights[m].source) for m in METRICS]
    lines += [(f"等级：{g.label}", f"综合得分 ≥ {g.min_score:g}", g.source) for g in rules.grades]
    sheet.append(["项目", "取值", "依据"])
    for cells in lines:
        sheet.append([csv_safe(c) for c in cells])
    for letter, width in (("A", 20), ("B", 60), ("C", 80)):
        sheet.column_dimensions[letter].width = width


def scorecard_workbook(cards: Sequence[Scorecard], rules: QualityRules | None = None) -> bytes:
    """The workbook (xlsx bytes) of ``cards``, one sheet per month, then 说明."""
    rules = rules or quality_rules()
    book = Workbook()
    book.remove(book.active)
    for card in cards:
        _month_sheet(book, card, rules)
    _notes_sheet(book, rules)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_scorecards(
    ctx: Context, months: Sequence[str], *, item_id: str | None = None, as_of: date | None = None
) -> bytes:
    """Scorecards of ``months`` (each read is audited by ``scorecard``) as one workbook (``quality.read``)."""
    require(ctx, "quality.read")
    unique = list(dict.fromkeys(m.strip() for m in months))
    if not unique:
        raise InvalidInput("请至少指定一个月份（YYYY-MM）", field="month")
    if len(unique) > MAX_MONTHS:
        raise InvalidInput(f"一次最多导出 {MAX_MONTHS} 个月", field="month")
    rules = quality_rules()
    cards = [scorecard(ctx, m, item_id=item_id, as_of=as_of, rules=rules) for m in unique]
    return scorecard_workbook(cards, rules)
