"""``/api/v1/quality``: the monthly department data-quality scorecard (JSON and Excel) and reference lists.

The scorecard is the 通报 sent to every department: any staff role (``quality.read``: department officers,
regulators, the credit office) may read all of it. Reference lists are uploaded by the credit office
(``quality.reference_upload``) as JSON rows keyed by column header (文书号, 决定日期, 行政相对人名称).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from xinyong.auth.permissions import require
from xinyong.quality import export
from xinyong.quality.reference import load_reference
from xinyong.quality.schemas import ReferenceIn, ReferenceLoadResult, Scorecard
from xinyong.quality.scorecard import scorecard as compute_scorecard
from xinyong.subjects.departments import department_by_ref
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/quality", tags=["数据质量通报"], dependencies=SECURED)

Month = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM", examples=["2026-10"], max_length=7)]
Item = Annotated[str | None, Query(max_length=40, description="数据项，如 penalty、licence；不填为全部")]
AsOf = Annotated[date | None, Query(description="统计截止日（含），默认今天")]


@router.get(
    "/scorecard",
    response_model=Scorecard,
    summary="部门数据质量通报（月度）",
    responses=error_responses(*DENIED, 404, 409, 422),
)
def get_scorecard(ctx: LoggedIn, month: Month, item: Item = None, as_of: AsOf = None) -> Scorecard:
    """One row per department: 合规率, 及时率/迟报率, 完整率, 瞒报数/瞒报率, 纠错时效, 综合得分, 等级, 排名.
    Rates are 0–1, ``null`` when there is nothing to measure. The formulas are not official (docs/quality.md)."""
    return compute_scorecard(ctx, month, item_id=item or None, as_of=as_of)


@router.get(
    "/scorecard.xlsx",
    response_class=Response,
    summary="导出部门数据质量通报（Excel）",
    responses={
        200: {"description": "Excel 工作簿：当月一个工作表，另附“说明”表", "content": {export.XLSX_MEDIA_TYPE: {}}},
        **error_responses(*DENIED, 404, 409, 422),
    },
)
def get_scorecard_xlsx(ctx: LoggedIn, month: Month, item: Item = None, as_of: AsOf = None) -> Response:
    """The month's scorecard as an Excel workbook (percentages formatted, grades coloured)."""
    data = export.export_scorecards(ctx, [month], item_id=item or None, as_of=as_of)
    name = f"quality-{month}{'-' + item if item else ''}.xlsx"
    return Response(
        data, media_type=export.XLSX_MEDIA_TYPE, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.post(
    "/reference",
    response_model=ReferenceLoadResult,
    summary="上传参照清单（用于瞒报/漏报核查）",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=CSRF,
)
def post_reference(data: ReferenceIn, ctx: LoggedIn) -> ReferenceLoadResult:
    """Register the decisions of a reference list (credit office). All or nothing: a list with errors stores
    nothing and answers 422 with ``errors`` = ``[{"row", "field", "reason"}]``. Re-sending is idempotent."""
    require(ctx, "quality.reference_upload")  # before the department look-up: no answer reveals registrations
    department = department_by_ref(ctx.session, data.department)
    return load_reference(ctx, data.item, department.id, data.rows, list_name=data.list_name)
