"""Verifying a report: authentic and unchanged; the stored content altered (signature, digest or columns no longer
agree); a forged check code; unknown and malformed numbers; facts changed after a new penalty is loaded, with
what changed; the public sees only what the report states (a natural person masked)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time

import pytest

from reports.world import World
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.reports import service
from xinyong.reports.models import CreditReport


def public_ctx(world: World) -> Context:
    return Context(session=world.db, actor="public", role="public")


def special_report(world: World) -> CreditReport:
    return service.issue_report(
        world.subject_ctx(world.firm),
        world.firm.id,
        "special",
        period_start=date(2024, 1, 1),
        period_end=date(2026, 11, 27),
        domains=["market_supervision", "tax"],
    )


def test_an_authentic_unchanged_report(world: World) -> None:
    world.record("番市监罚〔2025〕1号", date(2025, 3, 1))
    report = special_report(world)
    result = service.verify_report(public_ctx(world), report.number, service.report_check_code(report))
    assert result.verdict == "authentic" and result.authentic and result.verdict_label == "真实有效"
    assert result.facts_changed is False and result.facts_message == "报告出具后相关信息未发生变化"
    assert result.changes == []
    shown = result.report
    assert shown is not None and shown.subject_name == "广州禾丰贸易有限公司" and shown.uscc == world.firm.uscc
    assert shown.period_start == "2024-01-01" and shown.domain_labels == ["市场监管", "税务"]
    assert [(s.label, s.summary) for s in shown.sections] == [
        ("市场监管", "发现违法违规记录 1 条"),
        ("税务", "未发现违法违规记录"),
    ]
    # the check code is optional; a typed number is read leniently
    assert service.verify_report(public_ctx(world), f" {report.number.lower()} ").authentic


def test_facts_changed_after_a_new_penalty_is_loaded(world: World) -> None:
    report = special_report(world)
    world.record("番税罚〔2026〕9号", date(2026, 10, 9), department=world.tax)  # reported late, decided in the period
    result = service.verify_report(public_ctx(world), report.number, service.report_check_code(report))
    assert result.authentic and result.facts_changed is True
    assert result.facts_message == "报告出具后相关信息已发生变化"
    [change] = result.changes
    assert change.section == "税务" and change.added == ["行政处罚信息 番税罚〔2026〕9号（2026-10-09）"]
    assert result.report is not None and result.report.sections[1].summary == "未发现违法违规记录"  # as issued


def test_changes_list_removed_and_changed_rows(world: World) -> None:
    kept = world.record("番市监罚〔2026〕1号", date(2026, 5, 1))
    gone = world.record("番市监罚〔2026〕2号", date(2026, 6, 1))
    report = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    world.effect(kept, "objection", date(2026, 11, 20))  # opened on or before as_of, recorded after issue
    world.effect(gone, "revoked", date(2026, 11, 27))
    result = service.verify_report(public_ctx(world), report.number)
    [change] = result.changes
    assert change.section == "行政处罚信息"
    assert change.removed == ["行政处罚信息 番市监罚〔2026〕2号（2026-06-01）"]
    assert change.changed == ["行政处罚信息 番市监罚〔2026〕1号（2026-05-01）"]


def test_altered_content_is_detected(world: World) -> None:
    world.record("番市监罚〔2025〕1号", date(2025, 3, 1))
    report = special_report(world)
    content = copy.deepcopy(report.content)
    content["facts"]["sections"][0]["summary"] = "未发现违法违规记录"
    report.content = content
    world.db.flush()
    world.db.expire(report)
    result = service.verify_report(public_ctx(world), report.number, service.report_check_code(report))
    assert result.verdict == "altered" and not result.authentic
    assert result.message == "报告内容与签名不符，可能被篡改。" and result.verdict_label == "可能被篡改或伪造"
    assert result.report is None and result.facts_changed is None


def test_altered_columns_are_detected_too(world: World) -> None:
    report = special_report(world)
    report.subject_id = world.other.id  # the row now claims another subject
    world.db.flush()
    assert service.verify_report(public_ctx(world), report.number).verdict == "altered"


def test_a_forged_signature_is_detected(world: World) -> None:
    report = special_report(world)
    other = service.issue_report(world.subject_ctx(world.other), world.other.id, "public")
    report.signature = other.signature  # a valid signature, of another document
    world.db.flush()
    assert service.verify_report(public_ctx(world), report.number).verdict == "altered"


def test_a_wrong_check_code_means_a_forged_copy(world: World) -> None:
    report = special_report(world)
    code = service.report_check_code(report)
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    result = service.verify_report(public_ctx(world), report.number, wrong)
    assert result.verdict == "forged" and result.message == "校验码与报告不符，可能是伪造的报告。"
    assert result.report is None


def test_an_unknown_number_says_so_plainly(world: World) -> None:
    result = service.verify_report(public_ctx(world), "PY-20261127-0000-0000-0000", "ABCDEFGH")
    assert result.verdict == "unknown" and result.verdict_label == "查无此报告"
    assert result.message == "查无此报告编号，该报告不是本平台出具的。"


@pytest.mark.parametrize(
    ("number", "code", "field"), [("abc", None, "number"), ("PY-20261127-0000-0000-0000", "12", "c")]
)
def test_malformed_input_is_invalid(world: World, number: str, code: str | None, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.verify_report(public_ctx(world), number, code)
    assert caught.value.field == field


def test_the_public_sees_a_natural_persons_name_masked(world: World) -> None:
    report = service.issue_report(world.subject_ctx(world.person), world.person.id, "public")
    result = service.verify_report(public_ctx(world), report.number)
    assert result.report is not None and result.report.subject_name == "王**" and result.report.uscc is None


def test_verification_needs_the_verify_permission(world: World) -> None:
    report = special_report(world)
    with pytest.raises(PermissionDenied):
        service.verify_report(Context(session=world.db, actor="x", role="nobody"), report.number)


def later(world: World, day: date) -> Context:
    """The public verifying on ``day`` (10:00 in Beijing)."""
    return Context(session=world.db, actor="public", role="public", at=datetime.combine(day, time(2), tzinfo=UTC))


def test_a_penalty_decided_after_issue_changes_a_public_report(world: World) -> None:
    report = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    world.record("番市监罚〔2026〕31号", date(2026, 12, 10))
    same_day = service.verify_report(public_ctx(world), report.number)
    assert same_day.facts_changed is False and same_day.compared_as_of == date(2026, 11, 27)
    result = service.verify_report(later(world, date(2026, 12, 27)), report.number)
    assert result.facts_changed is True and result.compared_as_of == date(2026, 12, 27)
    assert result.changes[0].added == ["行政处罚信息 番市监罚〔2026〕31号（2026-12-10）"]


def test_the_end_of_publicity_is_a_change_but_not_for_a_special_reports_period(world: World) -> None:
    world.record("番市监罚〔2026〕32号", date(2026, 9, 1), publicity_end=date(2026, 12, 1))
    public = service.issue_report(world.subject_ctx(world.firm), world.firm.id, "public")
    special = special_report(world)
    world.record("番市监罚〔2027〕1号", date(2027, 1, 5))  # after the special report's period
    verifier = later(world, date(2027, 1, 10))
    assert service.verify_report(verifier, public.number).changes[0].removed == [
        "行政处罚信息 番市监罚〔2026〕32号（2026-09-01）"
    ]
    changed = service.verify_report(verifier, special.number)
    assert changed.facts_changed is True  # still counted, now marked 公示期满
    assert changed.changes[0].changed == ["行政处罚信息 番市监罚〔2026〕32号（2026-09-01）"]
    assert changed.changes[0].added == []


def test_a_report_of_an_earlier_day_is_compared_on_that_day(world: World) -> None:
    report = service.issue_report(
        world.office_ctx(), world.firm.id, "public", purpose="历史核对", as_of=date(2026, 6, 30)
    )
    world.record("番市监罚〔2026〕33号", date(2026, 8, 1))  # after that day: not part of its statement
    result = service.verify_report(public_ctx(world), report.number)
    assert result.compared_as_of == date(2026, 6, 30) and result.facts_changed is False
    world.record("番市监罚〔2026〕34号", date(2026, 5, 1))  # reported late, decided before that day
    assert service.verify_report(public_ctx(world), report.number).facts_changed is True
