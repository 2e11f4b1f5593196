"""Issuing reports: who may (a subject its own only; the credit office any subject with a purpose, audited; a
natural person's report only to the person), the parameters refused with the field named, and what is stored."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from reports.world import World
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput, NotFound
from xinyong.reports import canonical, service
from xinyong.reports.models import CreditReport


def events(world: World, action: str) -> list[AuditEvent]:
    return list(world.db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_subject_issues_its_own_report(world: World) -> None:
    report = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    assert report.kind == "public" and report.subject_id == world.firm.id and report.issued_role == "subject"
    header = report.content["header"]
    assert header["number"] == report.number and header["subject_name"] == "广州禾丰贸易有限公司"
    assert header["issued_by_office"] is False and header["issued_at"] == "2026-11-27T10:00:00+08:00"
    assert report.facts_digest == canonical.digest(report.content["facts"]) == header["facts_digest"]
    assert report.data_version.startswith("r") and report.rules_version.startswith("report_domains@1")
    [event] = events(world, "reports.issue")
    assert event.target_id == report.number and event.detail["own"] is True and event.detail["kind"] == "public"


def test_a_subject_may_not_issue_another_subjects_report(world: World) -> None:
    with pytest.raises(PermissionDenied) as caught:
        service.issue_report(world.subject_ctx(world.firm), world.other.id, "public")
    assert "本主体" in caught.value.message


@pytest.mark.parametrize("role", ["public", "department_officer", "regulator", "bank", "auditor"])
def test_other_roles_may_not_issue(world: World, role: str) -> None:
    ctx = Context(session=world.db, actor=f"test:{role}", role=role, department_id=world.market.id)
    with pytest.raises(PermissionDenied):
        service.issue_report(ctx, world.firm.id, "public", purpose="查看")


def test_the_office_issues_for_any_subject_with_a_purpose_and_an_audit_event(world: World) -> None:
    office = world.office_ctx()
    with pytest.raises(InvalidInput) as caught:
        service.issue_report(office, world.firm.id, "public")
    assert caught.value.field == "purpose"
    report = service.issue_report(
        office,
        world.firm.id,
        "special",
        period_start=date(2024, 1, 1),
        period_end=date(2026, 11, 27),
        domains=["tax", "market_supervision", "tax"],
        purpose="招标投标资格审查",
    )
    assert report.domains == ["market_supervision", "tax"]  # the rulebook's order, once each
    assert report.content["header"]["issued_by_office"] is True
    assert report.content["header"]["domain_labels"] == ["市场监管", "税务"]
    [event] = events(world, "reports.issue")
    assert event.actor == "office:staff" and event.detail["purpose"] == "招标投标资格审查"
    assert event.detail["domains"] == ["market_supervision", "tax"] and event.detail["own"] is False


def test_a_natural_persons_report_is_issued_only_to_the_person(world: World) -> None:
    with pytest.raises(PermissionDenied) as caught:
        service.issue_report(world.office_ctx(), world.person.id, "public", purpose="代办")
    assert "本人" in caught.value.message
    report = service.issue_report(world.subject_ctx(world.person), world.person.id, "public")
    assert report.content["header"]["subject_uscc"] is None
    assert dict(report.content["facts"]["basic"])["公民身份号码"].count("*") >= 8


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"kind": "annual"}, "kind", "报告类型应为"),
        ({"kind": "public", "domains": ["tax"]}, "kind", "公共信用报告不选择期间和领域"),
        ({"kind": "public", "as_of": date(2026, 11, 28)}, "as_of", "不能晚于今天"),
        ({"kind": "special", "domains": ["tax"], "period_end": date(2026, 1, 1)}, "period_start", "起止日期"),
        (
            {"kind": "special", "domains": ["tax"], "period_start": date(2026, 2, 1), "period_end": date(2026, 1, 1)},
            "period_start",
            "不能晚于结束日期",
        ),
        (
            {"kind": "special", "domains": ["tax"], "period_start": date(2026, 1, 1), "period_end": date(2026, 11, 28)},
            "period_end",
            "不能晚于报告截止日",
        ),
        (
            {"kind": "special", "domains": ["tax"], "period_start": date(2021, 11, 26), "period_end": date(2026, 1, 1)},
            "period_start",
            "最长 5 年",
        ),
        (
            {"kind": "special", "domains": [], "period_start": date(2026, 1, 1), "period_end": date(2026, 2, 1)},
            "domains",
            "至少选择一个领域",
        ),
        (
            {
                "kind": "special",
                "domains": ["tax", "weather"],
                "period_start": date(2026, 1, 1),
                "period_end": date(2026, 2, 1),
            },
            "domains",
            "未知的领域 weather",
        ),
        ({"kind": "public", "purpose": "用途\x00"}, "purpose", "控制字符"),
        ({"kind": "public", "purpose": "长" * 201}, "purpose", "过长"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(
    world: World, kwargs: dict[str, object], field: str, words: str
) -> None:
    rest = dict(kwargs)  # the parameter is shared by the runs on each database
    kind = str(rest.pop("kind"))
    with pytest.raises(InvalidInput) as caught:
        service.issue_report(world.subject_ctx(world.firm), world.firm.id, kind, **rest)  # type: ignore[arg-type]
    assert caught.value.field == field and words in caught.value.message
    assert world.db.scalar(select(CreditReport.id)) is None


def test_the_longest_period_is_accepted(world: World) -> None:
    report = service.issue_report(
        world.subject_ctx(world.firm),
        world.firm.id,
        "special",
        period_start=date(2021, 11, 27),
        period_end=date(2026, 11, 27),
        domains=["tax"],
    )
    assert report.period_start == date(2021, 11, 27)


def test_an_unknown_subject_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        service.issue_report(world.office_ctx(), 987654, "public", purpose="测试")
    with pytest.raises(NotFound):
        service.issue_report(world.office_ctx(), 2**70, "public", purpose="测试")


def test_numbers_are_unique_and_reports_are_listed_newest_first(world: World) -> None:
    own = world.subject_ctx(world.firm)
    made = [service.issue_report(own, world.firm.id, "public") for _ in range(3)]
    assert len({r.number for r in made}) == 3
    service.issue_report(world.subject_ctx(world.other), world.other.id, "public")
    total, rows = service.list_reports(own)
    assert total == 3 and {r.number for r in rows} == {r.number for r in made}
    office_total, _ = service.list_reports(world.office_ctx())
    assert office_total == 4
    assert service.list_reports(world.office_ctx(), subject_id=world.other.id)[0] == 1
    with pytest.raises(PermissionDenied):
        service.list_reports(own, subject_id=world.other.id)
    with pytest.raises(PermissionDenied):
        service.list_reports(Context(session=world.db, actor="bank", role="bank", institution="某银行"))


def test_reading_a_report_the_office_is_audited_the_owner_is_not(world: World) -> None:
    report = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    assert service.get_report(world.subject_ctx(world.firm), report.number.lower()).id == report.id
    assert events(world, "read.credit_report") == []
    service.get_report(world.office_ctx(), report.number, purpose="pdf")
    [read] = events(world, "read.credit_report")
    assert read.target_id == report.number and read.detail["as"] == "pdf"
    with pytest.raises(PermissionDenied):
        service.get_report(world.subject_ctx(world.other), report.number)
    with pytest.raises(NotFound):
        service.get_report(world.subject_ctx(world.firm), "PY-20261127-0000-0000-0000")
    with pytest.raises(InvalidInput):
        service.get_report(world.subject_ctx(world.firm), "not-a-number")


def test_the_subject_named_by_a_request(world: World) -> None:
    office = world.office_ctx()
    assert service.subject_for(office, None, world.firm.uscc) == world.firm.id
    assert service.subject_for(office, None, str(world.other.id)) == world.other.id
    assert service.subject_for(world.subject_ctx(world.firm)) == world.firm.id
    for bad in ("²", "not a code"):
        with pytest.raises(InvalidInput):
            service.subject_for(office, None, bad)
    with pytest.raises(InvalidInput) as caught:
        service.subject_for(office)
    assert caught.value.field == "subject"
