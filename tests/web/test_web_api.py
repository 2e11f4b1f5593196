"""JSON API: health, search, look-up by code, error shapes, OpenAPI (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from webdata import DUP_USCC, HEFENG, HEFENG_USCC, SHOP_USCC, Registry

from xinyong.db.session import make_engine, reset_caches
from xinyong.settings import get_settings
from xinyong.web.app import create_app
from xinyong.web.deps import get_session

ERROR_KEYS = {"error", "message", "field"}


def test_healthz_reports_database_and_schema(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["schema"] and isinstance(body["schema"], str)


def test_healthz_503_when_database_is_down() -> None:
    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    app = create_app()

    def dead_session() -> Iterator[Session]:
        with Session(bind=dead) as session:
            yield session

    app.dependency_overrides[get_session] = dead_session
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/healthz")
    dead.dispose()
    assert r.status_code == 503
    body = r.json()
    assert body.keys() >= ERROR_KEYS
    assert body["error"] == "unavailable" and body["database"] == "unavailable" and body["status"] == "error"
    assert "数据库不可用" in body["message"]
    assert "nobody" not in r.text  # no connection details leak


def test_broken_database_url_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_DATABASE_URL", "mysql://nobody@127.0.0.1/none")
    get_settings.cache_clear()
    reset_caches()
    try:
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            r = c.get("/healthz")
    finally:
        reset_caches()
    assert r.status_code == 503
    assert r.json() == {"error": "unavailable", "message": "数据库配置有误，请检查 XINYONG_DATABASE_URL", "field": None}


def test_search_by_chinese_substring(client: TestClient, registry: Registry) -> None:
    r = client.get("/api/v1/subjects", params={"q": "禾丰"})
    assert r.status_code == 200
    page = r.json()
    assert page["mode"] == "name"
    names = [i["name"] for i in page["items"]]
    assert HEFENG in names
    assert page["total"] == len(names) == 1  # the natural person 王禾丰 is not public
    miss = client.get("/api/v1/subjects", params={"q": "不存在的公司"}).json()
    assert miss["total"] == 0 and miss["items"] == []


def test_search_by_code_prefix(client: TestClient, registry: Registry) -> None:
    page = client.get("/api/v1/subjects", params={"q": HEFENG_USCC[:12]}).json()
    assert page["mode"] == "code"
    assert [i["uscc"] for i in page["items"]] == [HEFENG_USCC]
    lower = client.get("/api/v1/subjects", params={"q": HEFENG_USCC.lower()}).json()
    assert [i["id"] for i in lower["items"]] == [registry.hefeng.id]


def test_natural_persons_never_public(client: TestClient, registry: Registry) -> None:
    for q in ("王禾丰", "王", "11010519491231002X", "110105"):
        page = client.get("/api/v1/subjects", params={"q": q}).json()
        assert all(i["kind"] != "natural_person" for i in page["items"]), q
        assert all(i["ric_masked"] is None for i in page["items"])
    assert client.get(f"/subjects/{registry.person.id}").status_code == 404


def test_individual_business_operator_masked(client: TestClient, registry: Registry) -> None:
    shop = client.get(f"/api/v1/subjects/{SHOP_USCC}").json()
    assert shop["legal_representative"] == "李**"
    company = client.get(f"/api/v1/subjects/{HEFENG_USCC}").json()
    assert company["legal_representative"] == "陈国强"


def test_get_by_code(client: TestClient, registry: Registry) -> None:
    r = client.get(f"/api/v1/subjects/{HEFENG_USCC}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == registry.hefeng.id and body["name"] == HEFENG
    assert body["kind_label"] == "法人" and body["township_name"] == "市桥街道"
    assert body["registered_on"] == "2015-03-18"
    assert client.get(f"/api/v1/subjects/{HEFENG_USCC.lower()}").json()["id"] == registry.hefeng.id


def test_get_by_code_404(client: TestClient, registry: Registry) -> None:
    r = client.get("/api/v1/subjects/91350100M000100Y43")
    assert r.status_code == 404
    body = r.json()
    assert body.keys() == ERROR_KEYS
    assert body["error"] == "not_found" and "未找到" in body["message"]


def test_get_by_duplicate_code_409_lists_candidates(client: TestClient, registry: Registry) -> None:
    r = client.get(f"/api/v1/subjects/{DUP_USCC}")
    assert r.status_code == 409
    body = r.json()
    assert body["error"] == "duplicate_code"
    assert body["message"] == "该统一社会信用代码存在重码"
    assert body["field"] == "uscc" and body["uscc"] == DUP_USCC
    assert [(c["id"], c["name"]) for c in body["candidates"]] == [
        (registry.dup_a.id, "广州重码甲贸易有限公司"),
        (registry.dup_b.id, "广州重码乙贸易有限公司"),
    ]


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("9144011", "18位"),
        ("91440113MA59HF016U0", "18位"),
        ("91440113MA59HF01@U", "数字和大写英文字母"),
        ("00000000000000000X", "占位代码"),
        ("x" * 200, "过长"),
    ],
)
def test_get_by_malformed_code_422(client: TestClient, code: str, fragment: str) -> None:
    r = client.get(f"/api/v1/subjects/{code}")
    assert r.status_code == 422
    body = r.json()
    assert body.keys() == ERROR_KEYS
    assert body["error"] == "invalid" and body["field"] == "uscc" and fragment in body["message"]


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"q": ""}, "q", "不能为空"),
        ({}, "q", "缺少"),
        ({"q": "禾" * 51}, "q", "过长"),
        ({"q": "   "}, "q", "请输入"),
        ({"q": "禾丰", "limit": 0}, "limit", "不能小于 1"),
        ({"q": "禾丰", "offset": "abc"}, "offset", "整数"),
    ],
)
def test_search_422_shape(client: TestClient, params: dict[str, object], field: str, fragment: str) -> None:
    r = client.get("/api/v1/subjects", params=params)
    assert r.status_code == 422
    body = r.json()
    assert body.keys() == ERROR_KEYS
    assert body["error"] == "invalid" and body["field"] == field
    assert fragment in body["message"]
    if field != "q" or params.get("q") != "   ":
        assert field in body["message"]  # FastAPI's own validation errors name the parameter


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/nothing")
    assert r.status_code == 404
    assert r.json() == {"error": "not_found", "message": "接口不存在", "field": None}


def test_unexpected_error_is_generic_500() -> None:
    app = create_app()

    def broken() -> Session:
        raise RuntimeError("secret internals at /srv/xinyong")

    app.dependency_overrides[get_session] = broken
    with TestClient(app, raise_server_exceptions=False) as c:
        api = c.get("/api/v1/subjects", params={"q": "禾丰"})
        page = c.get("/search", params={"q": "禾丰"})
    assert api.status_code == 500
    body = api.json()
    assert body["error"] == "internal" and "服务器内部错误" in body["message"]
    assert "secret" not in api.text and "Traceback" not in api.text
    assert page.status_code == 500 and "服务器内部错误" in page.text and "secret" not in page.text


def test_openapi_lists_endpoints(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "公共信用信息平台"
    assert {"/healthz", "/api/v1/subjects", "/api/v1/subjects/{uscc}"} <= doc["paths"].keys()
    assert not any(p.startswith(("/search", "/subjects", "/s/")) for p in doc["paths"])  # pages stay out
    by_code = doc["paths"]["/api/v1/subjects/{uscc}"]["get"]["responses"]
    assert {"200", "404", "409", "422"} <= by_code.keys()


def test_docs_served_without_cdn(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
