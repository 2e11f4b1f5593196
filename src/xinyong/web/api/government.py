"""JSON API ``/api/v1/government``: 公共机构名录、政府合同与政务失信记录 (issue #11 items 1–2).

Staff read (``government.read``) the register of public bodies, contracts with their schedules and alerts, and the
government-integrity records; the credit office registers bodies and names their answerable unit
(``bodies.manage``); the credit office and department officers (``contracts.manage``, a department only for bodies it
answers for) register and import contracts, record terms done, amend by supplementary agreement, complete and
terminate them; only the credit office declares a default. Rules: ``xinyong.government.contracts``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID
from xinyong.government import bodies, contract_import, contract_queries, contracts
from xinyong.government.contract_schemas import (
    AlertOut,
    AmendIn,
    BodyIn,
    BodyOut,
    CompleteIn,
    ContractDetail,
    ContractIn,
    ContractRow,
    ImportResult,
    ReasonIn,
    ReassignIn,
    RecordOut,
    TermDoneIn,
)
from xinyong.settings import get_settings
from xinyong.web import exports
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/government", tags=["公共机构名录、政府合同与政务失信记录"], dependencies=SECURED)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
AsOf = Annotated[date | None, Query(description="按哪一天计算（默认今天）")]
WRITE = [*CSRF]
CHANGE = error_responses(*DENIED, 404, 409, 422)
Status = Literal["performing", "completed", "defaulted", "terminated"]


def _detail(ctx: Context, contract_id: int, as_of: date | None = None) -> ContractDetail:
    return contract_queries.contract_detail(ctx, contract_id, as_of or ctx.today)


# --------------------------------------------------------------------------------------------- bodies
@router.get("/bodies", response_model=list[BodyOut], summary="公共机构名录", responses=error_responses(*DENIED))
def list_bodies(
    ctx: LoggedIn, unit_code: Annotated[str | None, Query(max_length=32, description="责任单位代码")] = None
) -> list[BodyOut]:
    """The register (机关、事业单位、国有企业) with the unit answerable for each."""
    return contract_queries.list_bodies(ctx, unit_code)


@router.post(
    "/bodies",
    response_model=BodyOut,
    status_code=201,
    summary="登记公共机构（区信用办）",
    responses=CHANGE,
    dependencies=WRITE,
)
def register_body(data: BodyIn, ctx: LoggedIn) -> BodyOut:
    """Register a body: its registry subject is linked by code (registered if none holds it)."""
    return contract_queries.body_out(bodies.register_body(ctx, data.name, data.uscc, data.kind, data.unit_code))


@router.post(
    "/bodies/{body_id}/unit",
    response_model=BodyOut,
    summary="变更公共机构的责任单位（区信用办）",
    responses=CHANGE,
    dependencies=WRITE,
)
def reassign_body(body_id: Id, data: ReassignIn, ctx: LoggedIn) -> BodyOut:
    """Name another answerable town or department."""
    return contract_queries.body_out(bodies.reassign_body(ctx, body_id, data.unit_code))


# --------------------------------------------------------------------------------------------- contracts
@router.get("/contracts", response_model=list[ContractRow], summary="政府合同", responses=error_responses(*DENIED))
def list_contracts(
    ctx: LoggedIn,
    as_of: AsOf = None,
    status: Annotated[Status | None, Query(description="合同状态")] = None,
    body_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    unit_code: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=100, description="合同编号、名称、政府方或相对方片段")] = None,
    alert: Annotated[bool, Query(description="只列出有临期或逾期节点的合同")] = False,
) -> list[ContractRow]:
    """Contracts with their alert counts as of ``as_of``."""
    return contract_queries.list_contracts(ctx, as_of or ctx.today, status, body_id, unit_code, q, alert)


@router.get(
    "/contracts/export",
    summary="导出政府合同（CSV / Excel）",
    responses=error_responses(*DENIED, 422),
    response_class=Response,
)
def export_contracts(
    ctx: LoggedIn,
    format: Annotated[exports.ExportFormat, Query(description="csv 或 xlsx")] = "csv",
    as_of: AsOf = None,
    status: Annotated[Status | None, Query()] = None,
    unit_code: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The contract list as CSV or xlsx."""
    rows = contract_queries.list_contracts(ctx, as_of or ctx.today, status, None, unit_code)
    return exports.export_response(format, "政府合同", EXPORT_COLUMNS, len(rows), lambda: rows)


EXPORT_COLUMNS: list[exports.Column[ContractRow]] = [
    exports.Column("合同编号", lambda r: r.contract_no, text=True),
    exports.Column("合同名称", lambda r: r.title),
    exports.Column("政府方", lambda r: r.body_name),
    exports.Column("责任单位", lambda r: r.unit_label),
    exports.Column("相对方", lambda r: r.counterparty_name),
    exports.Column("相对方统一社会信用代码", lambda r: r.counterparty_uscc),
    exports.Column("合同金额（元）", lambda r: r.amount),
    exports.Column("已支付（元）", lambda r: r.paid),
    exports.Column("签订日期", lambda r: r.signed_on),
    exports.Column("履行期限届满日", lambda r: r.ends_on),
    exports.Column("状态", lambda r: r.status_label),
    exports.Column("临期节点", lambda r: r.due_soon),
    exports.Column("逾期节点", lambda r: r.overdue),
    exports.Column("下一应履行日期", lambda r: r.next_due_on),
]


@router.get(
    "/contracts/{contract_id}",
    response_model=ContractDetail,
    summary="政府合同详情（履约节点与时间线）",
    responses=error_responses(*DENIED, 404),
)
def contract_detail(contract_id: Id, ctx: LoggedIn, as_of: AsOf = None) -> ContractDetail:
    """A contract with its schedule, audited timeline and government-integrity records."""
    return _detail(ctx, contract_id, as_of)


@router.post(
    "/contracts",
    response_model=ContractDetail,
    status_code=201,
    summary="登记政府合同及履约节点",
    responses=CHANGE,
    dependencies=WRITE,
)
def register_contract(data: ContractIn, ctx: LoggedIn) -> ContractDetail:
    """The payment terms must add up to the contract amount; a department registers only its own bodies' contracts."""
    return _detail(ctx, contracts.register_contract(ctx, data).id)


def _importer(ctx: LoggedIn) -> Context:
    require(ctx, contracts.MANAGE)
    return ctx


@router.post(
    "/contracts/import",
    response_model=ImportResult,
    summary="批量导入政府合同（CSV / Excel，每行一个节点）",
    responses=error_responses(*DENIED, 409, 422),
    dependencies=WRITE,
)
def import_contracts(
    ctx: Annotated[Context, Depends(_importer)],
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GBK）或 Excel（.xlsx），表头为中文列名")],
) -> ImportResult:
    """All or nothing: 422 with ``errors`` [{row, field, reason}] when any row has a problem."""
    limit = get_settings().intake_max_file_bytes
    return contract_import.import_contracts(ctx, file.filename or "", file.file.read(limit + 1))


@router.post(
    "/terms/{term_id}/done",
    response_model=ContractDetail,
    summary="登记节点履行（付款可部分支付）",
    responses=CHANGE,
    dependencies=WRITE,
)
def term_done(term_id: Id, data: TermDoneIn, ctx: LoggedIn) -> ContractDetail:
    """A milestone done, or a payment (all that is unpaid by default, or part of it)."""
    term = contracts.record_term_done(ctx, term_id, data.done_on, data.paid_amount, data.note)
    return _detail(ctx, term.contract_id)


@router.post(
    "/contracts/{contract_id}/amend",
    response_model=ContractDetail,
    summary="补充协议：新增节点",
    responses=CHANGE,
    dependencies=WRITE,
)
def amend(contract_id: Id, data: AmendIn, ctx: LoggedIn) -> ContractDetail:
    """New terms only (existing terms never change); the payments must add up to the (new) amount."""
    return _detail(ctx, contracts.amend_contract(ctx, contract_id, data).id)


@router.post(
    "/contracts/{contract_id}/default",
    response_model=ContractDetail,
    summary="认定政府合同违约（区信用办）",
    responses=CHANGE,
    dependencies=WRITE,
)
def declare_default(contract_id: Id, data: ReasonIn, ctx: LoggedIn) -> ContractDetail:
    """Status ``defaulted`` and a government-integrity record of the body."""
    return _detail(ctx, contracts.declare_default(ctx, contract_id, data.reason, data.on).id)


@router.post(
    "/contracts/{contract_id}/complete",
    response_model=ContractDetail,
    summary="合同履行完毕",
    responses=CHANGE,
    dependencies=WRITE,
)
def complete(contract_id: Id, data: CompleteIn, ctx: LoggedIn) -> ContractDetail:
    """Every term must be done."""
    return _detail(ctx, contracts.complete_contract(ctx, contract_id, data.on).id)


@router.post(
    "/contracts/{contract_id}/terminate",
    response_model=ContractDetail,
    summary="解除或终止合同",
    responses=CHANGE,
    dependencies=WRITE,
)
def terminate(contract_id: Id, data: ReasonIn, ctx: LoggedIn) -> ContractDetail:
    """Ended early, with its reason."""
    return _detail(ctx, contracts.terminate_contract(ctx, contract_id, data.reason, data.on).id)


@router.get(
    "/alerts", response_model=list[AlertOut], summary="合同节点临期与逾期提醒", responses=error_responses(*DENIED)
)
def alerts(
    ctx: LoggedIn,
    as_of: AsOf = None,
    unit_code: Annotated[str | None, Query(max_length=32)] = None,
    body_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[AlertOut]:
    """Terms overdue, then terms due within the alert window (working days), as of ``as_of``."""
    return contract_queries.alerts(ctx, as_of or ctx.today, unit_code, body_id)


# --------------------------------------------------------------------------------------------- records
@router.get("/records", response_model=list[RecordOut], summary="政务失信记录", responses=error_responses(*DENIED))
def list_records(
    ctx: LoggedIn,
    body_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: Annotated[date | None, Query(description="发生日期起")] = None,
) -> list[RecordOut]:
    """Government-integrity records, newest first."""
    return contract_queries.list_records(ctx, body_id, since)
