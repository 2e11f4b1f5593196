"""``create_app()``: the FastAPI application (JSON API, pages, static files, offline API docs)."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from xinyong import __version__
from xinyong.dashboard.warmup import lifespan
from xinyong.web import admission, errors, middleware
from xinyong.web import check_lane as check_lane_module
from xinyong.web.api import (
    accounts,
    arrears,
    audit,
    authorisations,
    bank,
    campaigns,
    catalog,
    checks,
    commitments,
    dashboard,
    enforcement,
    evaluation,
    gov_overview,
    government,
    health,
    incentives,
    inspections,
    intake,
    integrity,
    lending,
    lifecycle,
    lists,
    measures,
    monitoring,
    notifications,
    objections,
    personal_scores,
    portal,
    privacy,
    quality,
    records,
    repairs,
    reports,
    sandbox,
    staff,
    subjects,
    tokens,
    verification,
    workplan,
)
from xinyong.web.deps import commit_before_response
from xinyong.web.pages import account, public
from xinyong.web.pages import arrears as arrears_pages
from xinyong.web.pages import audit as audit_pages
from xinyong.web.pages import campaigns as campaigns_pages
from xinyong.web.pages import catalog as catalog_pages
from xinyong.web.pages import checks as check_pages
from xinyong.web.pages import commitments as commitment_pages
from xinyong.web.pages import dashboard as dashboard_pages
from xinyong.web.pages import enforcement as enforcement_pages
from xinyong.web.pages import evaluation as evaluation_pages
from xinyong.web.pages import gov_overview as gov_overview_pages
from xinyong.web.pages import government as government_pages
from xinyong.web.pages import incentives as incentive_pages
from xinyong.web.pages import inspections as inspection_pages
from xinyong.web.pages import intake as intake_pages
from xinyong.web.pages import integrity as integrity_pages
from xinyong.web.pages import lending as lending_pages
from xinyong.web.pages import lifecycle as lifecycle_pages
from xinyong.web.pages import lists as list_pages
from xinyong.web.pages import monitoring as monitoring_pages
from xinyong.web.pages import notifications as notification_pages
from xinyong.web.pages import objections as objection_pages
from xinyong.web.pages import personal_scores as personal_score_pages
from xinyong.web.pages import portal as portal_pages
from xinyong.web.pages import privacy as privacy_pages
from xinyong.web.pages import quality as quality_pages
from xinyong.web.pages import records as records_pages
from xinyong.web.pages import repairs as repair_pages
from xinyong.web.pages import reports as report_pages
from xinyong.web.pages import sandbox as sandbox_pages
from xinyong.web.pages import verification as verification_pages
from xinyong.web.pages import workplan as workplan_pages
from xinyong.web.templating import PLATFORM_NAME, STATIC_DIR

TITLE = "公共信用信息平台"
DESCRIPTION = (
    f'{PLATFORM_NAME}的公开接口。错误一律以 `{{"error": 代码, "message": 中文说明, "field": 出错字段}}` 返回。'
)
SWAGGER = "/static/vendor/swagger-ui"


def create_app(*, check_lane: bool = True) -> FastAPI:
    """Build the application. Swagger UI is served from vendored files (no CDN); ReDoc is off.

    ``check_lane=False`` leaves out the joint check's lane (``web.check_lane``): every check then goes through
    the FastAPI route (tests/web/test_check_lane.py compares the two answers)."""
    app = FastAPI(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        dependencies=[Depends(commit_before_response, scope="function")],
        lifespan=lifespan,  # warms the dashboard's and the home page's figures (XINYONG_WARM_FIGURES_ON_START)
    )
    errors.install(app)
    if check_lane:
        check_lane_module.install(app)  # innermost: the joint check's lane (web/check_lane.py)
    admission.install(app)  # inside the rate limits and size checks: see its docstring
    middleware.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Starlette walks the included routers in this order, every route of each until one matches: the routes with
    # the heaviest machine traffic come first (the joint check and the eligibility question: about 0.2 ms of
    # regular-expression matching per request when the check router was 21st; docs/checks.md). The OpenAPI
    # document lists the paths in this order too.
    for module in (
        health,
        checks,
        incentives,
        subjects,
        staff,
        bank,
        authorisations,
        tokens,
        accounts,
        audit,
        catalog,
        intake,
        records,
        quality,
        lifecycle,
        objections,
        repairs,
        commitments,
        notifications,
        evaluation,
        inspections,
        lists,
        measures,
        verification,
        reports,
        portal,
        workplan,
        monitoring,
        lending,
        personal_scores,
        dashboard,
        privacy,
        sandbox,
        government,
        integrity,
        arrears,
        enforcement,
        campaigns,
        gov_overview,
    ):
        app.include_router(module.router)
    for module in (
        public,
        account,
        audit_pages,
        catalog_pages,
        intake_pages,
        records_pages,
        quality_pages,
        lifecycle_pages,
        objection_pages,
        repair_pages,
        commitment_pages,
        notification_pages,
        evaluation_pages,
        inspection_pages,
        list_pages,
        check_pages,
        verification_pages,
        report_pages,
        portal_pages,
        workplan_pages,
        monitoring_pages,
        lending_pages,
        incentive_pages,
        personal_score_pages,
        dashboard_pages,
        privacy_pages,
        sandbox_pages,
        government_pages,
        integrity_pages,
        arrears_pages,
        enforcement_pages,
        campaigns_pages,
        gov_overview_pages,
    ):
        app.include_router(module.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI from ``static/vendor/swagger-ui`` (swagger-ui-dist)."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{TITLE} · 接口文档",
            swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},  # no call to validator.swagger.io
        )

    return app
