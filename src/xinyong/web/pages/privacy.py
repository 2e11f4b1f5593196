"""Pages of privacy-preserving queries (issue #10): compiled sets and exchange logs, the sandbox, federated runs.

Page ``/privacy`` (credit office, ``privacy.read``): every PSI scope with its disclosure mode, false-positive rate,
request limit and current version (elements, setup size, when and why it was built), the scope's recent versions,
a rebuild button (``privacy.manage``; a new version only when the set changed, "强制" rotates the key anyway), and
the exchange log, which shows what the platform saw of each exchange: the institution, the time, the version,
the number of the bank's codes and the outcome. Never a code. Rules: ``xinyong.privacy``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.privacy import psi_sets, queries
from xinyong.privacy.policy import load_policy
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.checks import local_time
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
NAV = "privacy"
KINDS = {"psi": "隐私求交", "cardinality": "交集计数", "membership": "匿踪查询"}
REASONS = {
    "": "",
    "forbidden": "无权限",
    "not_found": "范围不存在或未编制",
    "rate_limited": "超过频率限制",
    "stale_version": "版本已更新",
    "too_large": "请求过大",
    "invalid": "报文无效",
    "replayed": "重放请求",
}


def _page(request: Request, ctx: Context, *, done: str = "", error: str | None = None, status: int = 200) -> Response:
    require(ctx, psi_sets.READ)
    sets = queries.sets(ctx)
    versions = {s.scope: queries.versions(ctx, s.scope, limit=5) for s in sets}
    context = {
        "nav": NAV,
        "sets": sets,
        "versions": versions,
        "exchanges": queries.exchanges(ctx, limit=100),
        "rate": load_policy().rate,
        "kinds": KINDS,
        "local_time": local_time,
        "reasons": REASONS,
        "may_rebuild": allowed(ctx.role, psi_sets.MANAGE),
        "done": done,
        "error": error,
    }
    return render(request, "privacy.html", context, status_code=status)


@router.get("/privacy")
def page(request: Request, ctx: Login, done: Annotated[str, Query(max_length=80)] = "") -> Response:
    """Scopes, versions and the exchange log."""
    return _page(request, ctx, done=done[:80])


@router.post("/privacy/rebuild", dependencies=[Csrf])
def rebuild(
    request: Request,
    ctx: Login,
    scope: Annotated[str, Form(max_length=40)] = "",
    force: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """Rebuild one scope (or every scope when none is named)."""
    require(ctx, psi_sets.MANAGE)
    results: list[psi_sets.BuildResult] = []

    def run() -> None:
        scopes = [scope] if scope else list(load_policy().scopes)
        results.extend(psi_sets.rebuild(ctx, s, reason="页面重新编制", force=bool(force)) for s in scopes)

    refused = attempt(ctx, run)
    if refused is not None:
        return _page(request, ctx, error=refused.message, status=refused.status)
    built = [f"{r.scope} 第 {r.version} 版" for r in results if r.built]
    done = "已编制：" + "、".join(built) if built else "数据未变化，未生成新版本"
    return RedirectResponse(f"/privacy?done={done}", status_code=303)
