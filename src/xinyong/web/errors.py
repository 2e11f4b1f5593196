"""Exception handlers: one error shape ``{"error", "message", "field"}`` for JSON, Chinese pages for HTML.

``XinyongError`` subclasses carry status, code, Chinese message and field; an exception with an ``extra``
mapping adds fields to the JSON body (e.g. the candidates of a duplicate code). Unknown exceptions are
logged with a reference number and answered with a generic message, never a stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from xinyong.db.session import DatabaseConfigError
from xinyong.errors import XinyongError
from xinyong.subjects.schemas import SubjectOut
from xinyong.web.templating import render

log = logging.getLogger("xinyong.web")

JSON_PREFIXES = ("/api/", "/healthz", "/openapi.json")
STATUS_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "未找到",
    405: "不支持的请求方法",
    409: "数据冲突",
    422: "输入有误",
    500: "服务器内部错误",
    503: "服务暂不可用",
}
LOCATIONS = {"query": "查询参数", "path": "路径参数", "body": "请求体字段", "header": "请求头", "cookie": "Cookie"}


class ErrorBody(BaseModel):
    """Every error answer of the JSON API."""

    error: str = Field(description="machine-readable code, e.g. invalid, not_found, duplicate_code")
    message: str = Field(description="中文说明")
    field: str | None = Field(default=None, description="the parameter or field at fault, if any")


class DuplicateCodeBody(ErrorBody):
    """409 answer for a code held by several subjects (重码): the reader picks one candidate."""

    uscc: str
    candidates: list[SubjectOut]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error shape for ``statuses``."""
    return {s: {"model": ErrorBody, "description": STATUS_TITLES.get(s, "错误")} for s in statuses}


def wants_json(request: Request) -> bool:
    """API paths answer JSON; everything else is a page."""
    return request.url.path.startswith(JSON_PREFIXES)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """JSON body or Chinese error page, depending on the path."""
    if wants_json(request):
        return JSONResponse({"error": code, "message": message, "field": field, **(extra or {})}, status_code=status)
    context = {"status": status, "title": STATUS_TITLES.get(status, "出错了"), "message": message, "code": code}
    try:
        return render(request, "error.html", context, status_code=status)
    except Exception:  # a broken template must not hide the original error
        log.exception("rendering error.html failed")
        return PlainTextResponse(f"{status} {message}", status_code=status)


async def _xinyong_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, XinyongError)
    if exc.status == 401 and request.method in ("GET", "HEAD") and not wants_json(request):
        # A page that needs a login: go to the login form, then come back (local path only).
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)
    return error_response(request, exc.status, exc.code, exc.message, exc.field, getattr(exc, "extra", None))


def _describe(error: Mapping[str, Any]) -> tuple[str | None, str]:
    """Field name and Chinese sentence for one pydantic validation error."""
    loc: Sequence[Any] = error.get("loc", ())
    name = str(loc[-1]) if len(loc) > 1 else None
    where = f"{LOCATIONS.get(str(loc[0]), '参数')} {name}" if name else "请求"
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        text = f"缺少{where}"
    elif kind == "string_too_short":
        text = f"{where} 不能为空" if ctx.get("min_length") == 1 else f"{where} 至少 {ctx.get('min_length')} 个字符"
    elif kind == "string_too_long":
        text = f"{where} 过长（最多 {ctx.get('max_length')} 个字符）"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        text = f"{where} 应为整数"
    elif kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        text = f"{where} 不能小于 {bound}" if kind == "greater_than_equal" else f"{where} 应大于 {bound}"
    elif kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        text = f"{where} 不能大于 {bound}" if kind == "less_than_equal" else f"{where} 应小于 {bound}"
    else:
        text = f"{where} 格式不正确"
    return name, text


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    described = [_describe(e) for e in exc.errors()] or [(None, "请求格式不正确")]
    message = "；".join(dict.fromkeys(text for _, text in described[:3]))
    return error_response(request, 422, "invalid", message, described[0][0])


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = "接口不存在" if wants_json(request) else "您访问的页面不存在"
        code = "not_found"
    elif status == 405:
        message, code = "不支持该请求方法", "method_not_allowed"
    else:
        message, code = STATUS_TITLES.get(status, "请求无法处理"), f"http_{status}"
    response = error_response(request, status, code, message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _database_config(request: Request, exc: Exception) -> Response:
    log.error("database configuration: %s", exc)
    return error_response(request, 503, "unavailable", "数据库配置有误，请检查 XINYONG_DATABASE_URL")


async def _unhandled(request: Request, exc: Exception) -> Response:
    ref = uuid.uuid4().hex[:12]
    log.error("unhandled error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal", f"服务器内部错误，请稍后再试（错误编号 {ref}）")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(XinyongError, _xinyong_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DatabaseConfigError, _database_config)
    app.add_exception_handler(Exception, _unhandled)
