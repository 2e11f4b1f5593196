"""The Jinja2 environment of the pages (autoescape always on) and a ``render`` helper."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from xinyong import __version__
from xinyong.codes.result import PROBLEM_MESSAGES
from xinyong.codes.uscc import PLACEHOLDER

WEB_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
PLATFORM_NAME = "番禺区公共信用信息平台"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,  # every page shows user input: never render it raw
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(
    platform_name=PLATFORM_NAME, version=__version__, placeholder=PLACEHOLDER, problem_messages=PROBLEM_MESSAGES
)


def cn_date(value: date | None) -> str:
    """``2015年3月18日``; a dash for no date."""
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


_env.filters["cn_date"] = cn_date
templates = Jinja2Templates(env=_env)


def is_htmx(request: Request) -> bool:
    """Whether htmx asked for a fragment (history restores want the whole page)."""
    return request.headers.get("hx-request") == "true" and "hx-history-restore-request" not in request.headers


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a template; every response varies on ``HX-Request`` (fragment or page)."""
    merged = {"Vary": "HX-Request", **(headers or {})}
    return templates.TemplateResponse(request, name, dict(context or {}), status_code=status_code, headers=merged)
