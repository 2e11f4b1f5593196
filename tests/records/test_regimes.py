"""Publicity regimes as data (``rules/publicity.yaml``, ``records.regimes``): the rulebook and its validation,
the regime of a decision date (boundaries 2023-04-30/05-01 and 2026-03-31/04-01), minimum and maximum
periods per severity, month-end clamping (民法典 第二百零二条), the Order 58 special cases, 轻微 under Order
36 (not published by default), the straddle rule in its three settings, the severity classification, and
``records.periods.record_window`` as intake calls it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from factories import uscc
from intake_rows import penalty_row
from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.errors import InvalidInput
from xinyong.intake import service
from xinyong.records.models import CreditRecord
from xinyong.records.periods import record_window
from xinyong.records.regimes import (
    PublicityRules,
    add_months,
    classify_severity,
    publicity_rules,
    publicity_window,
)
from xinyong.rules.loader import RULES_DIR, RulebookError
from xinyong.subjects.departments import add_department

RULES = publicity_rules()


def _variant(tmp_path: Path, change: object) -> PublicityRules:
    """The packaged rulebook with ``change(data)`` applied, loaded from ``tmp_path``."""
    data = yaml.safe_load((RULES_DIR / "publicity.yaml").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    (tmp_path / "publicity.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return publicity_rules(tmp_path)


# --------------------------------------------------------------------------------------------- the rulebook
def test_rulebook_has_the_three_regimes_of_rules_md_section_4_each_cited() -> None:
    assert RULES.version >= 1 and RULES.straddle == "keep_unless_more_favourable"
    assert [(r.id, r.in_force_from, r.in_force_to) for r in RULES.regimes] == [
        ("ndrc_2019_527", date(2019, 7, 1), date(2023, 4, 30)),
        ("ndrc_order_58", date(2023, 5, 1), date(2026, 3, 31)),
        ("ndrc_order_36", date(2026, 4, 1), None),
    ]
    table = {
        r.id: {s: (rule.published, rule.min_months, rule.max_months) for s, rule in r.severities.items()}
        for r in RULES.regimes
    }
    assert table == {
        "ndrc_2019_527": {"minor": (True, 3, 12), "general": (True, 3, 12), "serious": (True, 6, 36)},
        "ndrc_order_58": {"minor": (True, 3, 36), "general": (True, 3, 36), "serious": (True, 3, 36)},
        "ndrc_order_36": {"minor": (False, None, 3), "general": (True, 3, 12), "serious": (True, 12, 36)},
    }
    sources = [r.source for r in RULES.regimes]
    sources += [rule.source for r in RULES.regimes for rule in r.severities.values()]
    sources += [c.source for r in RULES.regimes for c in r.special_cases]
    sources += [RULES.straddle_source, RULES.classification.source, RULES.match_fields_source]
    assert all("rules.md §4" in s for s in sources)
    assert {c.id for c in RULES.regime("ndrc_order_58").special_cases} == {"special_equipment", "work_safety", "fire"}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["regimes"][1].update(in_force_from="2023-05-02"), "空档"),
        (lambda d: d["regimes"][1].update(in_force_from="2023-04-30"), "重叠"),
        (lambda d: d["regimes"][0].update(in_force_to=None), "只有最后一个"),
        (lambda d: d["regimes"][2]["severities"]["serious"].update(min_months=40), "min_months"),
        (lambda d: d["regimes"][0]["severities"]["general"].update(source=""), "source"),
        (lambda d: d["regimes"][0]["severities"].pop("minor"), "minor、general、serious"),
        (lambda d: d.update(straddle="newest"), "straddle"),
        (lambda d: d["classification"]["categories"].update(警告="mild"), "classification"),
        (lambda d: d["regimes"][0].update(unknown_key=1), "unknown_key"),
    ],
)
def test_an_inconsistent_rulebook_is_refused_at_load(tmp_path: Path, change: object, fragment: str) -> None:
    with pytest.raises(RulebookError) as caught:
        _variant(tmp_path, change)
    assert fragment in str(caught.value)


# --------------------------------------------------------------------------------------------- the regime
@pytest.mark.parametrize(
    ("decided", "regime"),
    [
        (date(2018, 3, 1), "ndrc_2019_527"),  # before the first regime: the first (documented)
        (date(2019, 7, 1), "ndrc_2019_527"),
        (date(2023, 4, 30), "ndrc_2019_527"),
        (date(2023, 5, 1), "ndrc_order_58"),
        (date(2026, 3, 31), "ndrc_order_58"),
        (date(2026, 4, 1), "ndrc_order_36"),
        (date(2030, 1, 1), "ndrc_order_36"),
    ],
)
def test_the_regime_is_the_one_in_force_on_the_decision_date(decided: date, regime: str) -> None:
    assert publicity_window("general", decided).regime == regime


def test_periods_at_the_boundaries() -> None:
    # 527号, last day: general min 3 months / max 1 year, serious min 6 months / max 3 years
    general = publicity_window("general", date(2023, 4, 30))
    assert (general.min_end, general.max_end, general.later_end) == (date(2023, 7, 30), date(2024, 4, 30), None)
    serious = publicity_window("serious", date(2023, 4, 30))
    assert (serious.min_end, serious.max_end) == (date(2023, 10, 30), date(2026, 4, 30))
    # Order 58, first day: min 3 months, max 3 years for both
    general58 = publicity_window("general", date(2023, 5, 1))
    assert (general58.min_end, general58.max_end) == (date(2023, 8, 1), date(2026, 5, 1))
    serious58 = publicity_window("serious", date(2026, 3, 31))
    assert (serious58.regime, serious58.min_end, serious58.max_end) == (
        "ndrc_order_58",
        date(2026, 6, 30),
        date(2029, 3, 31),
    )
    # Order 36, first day: general min 3 months / max 1 year, serious min 1 year / max 3 years
    general36 = publicity_window("general", date(2026, 4, 1))
    assert (general36.min_end, general36.max_end, general36.later_end) == (date(2026, 7, 1), date(2027, 4, 1), None)
    serious36 = publicity_window("serious", date(2026, 4, 1))
    assert (serious36.min_end, serious36.max_end) == (date(2027, 4, 1), date(2029, 4, 1))


def test_month_periods_end_on_the_corresponding_day_or_the_month_end() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)  # leap year
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)
    assert add_months(date(2025, 12, 31), 3) == date(2026, 3, 31)
    # 527号 serious, decided 2022-08-31: minimum 6 months ends 2023-02-28 (no 31 February)
    assert publicity_window("serious", date(2022, 8, 31)).min_end == date(2023, 2, 28)
    # Order 58, decided 2025-08-31: the minimum of 3 months ends 2025-11-30
    assert publicity_window("general", date(2025, 8, 31)).min_end == date(2025, 11, 30)


def test_minor_is_treated_as_general_before_order_36() -> None:
    for decided in (date(2021, 6, 1), date(2024, 6, 1)):
        minor, general = publicity_window("minor", decided), publicity_window("general", decided)
        assert (minor.published, minor.min_end, minor.max_end) == (True, general.min_end, general.max_end)


def test_minor_is_not_published_under_order_36_by_default_and_configurable(tmp_path: Path) -> None:
    window = publicity_window("minor", date(2026, 6, 1))
    assert (window.published, window.min_end, window.max_end, window.end_on(date(2026, 6, 2))) == (
        False,
        None,
        None,
        None,
    )
    published = _variant(tmp_path, lambda d: d["regimes"][2]["severities"]["minor"].update(published=True))
    configured = publicity_window("minor", date(2026, 6, 1), rules=published)
    assert (configured.published, configured.min_end, configured.max_end) == (True, None, date(2026, 9, 1))
    assert configured.min_period_passed(date(2026, 6, 1))


# --------------------------------------------------------------------------------------------- special cases
@pytest.mark.parametrize(
    ("texts", "case"),
    [
        (["《特种设备安全法》第八十三条", "未经定期检验继续使用"], "special_equipment"),
        (["《中华人民共和国安全生产法》第九十七条", ""], "work_safety"),
        ([None, "消防设施未保持完好有效"], "fire"),
    ],
)
def test_order_58_special_cases_have_a_minimum_of_one_year(texts: list[str | None], case: str) -> None:
    for severity in ("general", "serious"):
        window = publicity_window(severity, date(2025, 2, 10), texts)  # type: ignore[arg-type]
        assert (window.special_case, window.min_end) == (case, date(2026, 2, 10))
    ordinary = publicity_window("general", date(2025, 2, 10), ["《广告法》第五十五条", "虚假宣传"])
    assert (ordinary.special_case, ordinary.min_end) == (None, date(2025, 5, 10))


def test_special_cases_belong_to_order_58_only() -> None:
    texts = ["《消防法》第六十条"]
    assert publicity_window("general", date(2023, 4, 30), texts).min_end == date(2023, 7, 30)
    assert publicity_window("general", date(2023, 5, 1), texts).min_end == date(2024, 5, 1)
    assert publicity_window("general", date(2026, 4, 1), texts).min_end == date(2026, 7, 1)


# --------------------------------------------------------------------------------------------- straddle
def test_a_more_favourable_later_regime_shortens_publicity_from_its_first_day() -> None:
    window = publicity_window("general", date(2025, 8, 31))  # Order 58: 3 years; Order 36: 1 year
    assert (window.max_end, window.later_end, window.later_from) == (
        date(2028, 8, 31),
        date(2026, 8, 31),
        date(2026, 4, 1),
    )
    assert window.end_on(date(2026, 3, 31)) == date(2028, 8, 31)
    assert window.end_on(date(2026, 4, 1)) == date(2026, 8, 31)
    # A record whose 1-year end under Order 36 already passed stops on the day Order 36 comes into force.
    old = publicity_window("general", date(2024, 1, 10))
    assert (old.later_end, old.later_from) == (date(2025, 1, 10), date(2026, 4, 1))
    assert (old.end_on(date(2026, 3, 31)), old.end_on(date(2026, 4, 1))) == (date(2027, 1, 10), date(2026, 3, 31))
    # Minor records stop being published when Order 36 (not published) comes into force.
    minor = publicity_window("minor", date(2025, 8, 31))
    assert (minor.later_end, minor.later_from) == (date(2026, 3, 31), date(2026, 4, 1))
    # The minimum period stays the one of the regime the record was published under.
    assert window.min_end == date(2025, 11, 30)


def test_a_less_favourable_later_regime_changes_nothing_by_default() -> None:
    serious = publicity_window("serious", date(2025, 8, 31))  # Order 36 serious: also 3 years, longer minimum
    assert (serious.min_end, serious.max_end, serious.later_end, serious.later_from) == (
        date(2025, 11, 30),
        date(2028, 8, 31),
        None,
        None,
    )
    general527 = publicity_window("general", date(2023, 4, 30))  # Order 58 would be 3 years: not applied
    assert (general527.max_end, general527.later_end) == (date(2024, 4, 30), None)


def test_straddle_rule_original_and_current(tmp_path: Path) -> None:
    original = RULES.model_copy(update={"straddle": "original"})
    kept = publicity_window("general", date(2025, 8, 31), rules=original)
    assert (kept.max_end, kept.later_end, kept.later_from) == (date(2028, 8, 31), None, None)
    assert kept.end_on(date(2026, 5, 1)) == date(2028, 8, 31)
    current = RULES.model_copy(update={"straddle": "current"})
    # 527 general decided 2023-04-30: still published when Order 58 comes in → its 3 years apply; then Order 36
    # (1 year) ends it from 2026-04-01.
    moved = publicity_window("general", date(2023, 4, 30), rules=current)
    assert (moved.max_end, moved.later_end, moved.later_from) == (
        date(2026, 4, 30),
        date(2024, 4, 30),
        date(2026, 4, 1),
    )
    assert moved.end_on(date(2025, 1, 1)) == date(2026, 4, 30)
    assert moved.end_on(date(2026, 4, 1)) == date(2026, 3, 31)  # stopped the day Order 36 came in
    # Already ended before the later regime: stays ended.
    ended = publicity_window("general", date(2022, 1, 10), rules=current)
    assert (ended.max_end, ended.later_end) == (date(2023, 1, 10), None)
    assert _variant(tmp_path, lambda d: d.update(straddle="original")).straddle == "original"


# --------------------------------------------------------------------------------------------- severity
def test_severity_from_the_data_else_from_the_penalty_category() -> None:
    assert classify_severity("严重", "警告") == "serious"
    assert classify_severity("minor", "吊销许可证件") == "minor"
    assert classify_severity(None, "警告") == "minor"
    assert classify_severity("", "通报批评") == "minor"
    assert classify_severity(None, "罚款") == "general"
    assert classify_severity(None, "没收违法所得、没收非法财物") == "general"
    for category in (
        "吊销许可证件",
        "责令停产停业",
        "责令关闭",
        "限制从业",
        "行政拘留",
        "限制开展生产经营活动",
        "降低资质等级",
    ):
        assert classify_severity(None, category) == "serious"
    assert classify_severity(None, "其他") == "general"
    assert classify_severity(None, None) == "general"  # no category: the default
    with pytest.raises(InvalidInput) as caught:
        classify_severity("很严重", None)
    assert "失信严重程度" in caught.value.message


def test_classification_is_configurable(tmp_path: Path) -> None:
    rules = _variant(tmp_path, lambda d: d["classification"].update(default="serious"))
    assert classify_severity(None, "暂无此类", rules) == "serious"


def test_a_bad_severity_is_refused() -> None:
    with pytest.raises(InvalidInput):
        publicity_window("grave", date(2025, 1, 1))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- record_window
def _penalty_values(**over: str | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "penalty_category": "罚款",
        "legal_basis": "《中华人民共和国广告法》第五十五条",
        "violation_type": "虚假宣传",
        "severity": None,
    }
    values.update(over)
    return values


def test_record_window_of_a_penalty_follows_the_regimes() -> None:
    penalty = load_catalog().item("penalty")
    assert penalty.publicity_rule == "regime" and penalty.negative
    assert record_window(penalty, _penalty_values(), date(2025, 8, 31)) == (
        date(2028, 8, 31),
        "general",
        "ndrc_order_58",
        date(2025, 11, 30),
        date(2026, 8, 31),
        date(2026, 4, 1),
        True,
    )
    # A stated 公示截止期 does not decide for a regime item; the stated severity does.
    assert record_window(penalty, _penalty_values(publicity_end="2026-01-01", severity="严重"), date(2026, 5, 6)) == (
        date(2029, 5, 6),
        "serious",
        "ndrc_order_36",
        date(2027, 5, 6),
        None,
        None,
        True,
    )
    warning = record_window(penalty, _penalty_values(penalty_category="警告"), date(2026, 5, 6))
    assert warning == (None, "minor", "ndrc_order_36", None, None, None, False)
    fire = record_window(penalty, _penalty_values(violation_type="消防通道堵塞"), date(2025, 1, 6))
    assert fire[3] == date(2026, 1, 6)


def test_record_window_of_other_items_keeps_the_stated_rule() -> None:
    catalog = load_catalog()
    licence = catalog.item("licence")
    assert licence.publicity_rule == "stated"
    assert record_window(licence, {"valid_to": "2030-01-01"}, date(2026, 1, 1)) == (
        date(2030, 1, 1),
        None,
        None,
        None,
        None,
        None,
        True,
    )
    for item_id in ("social_insurance_arrears", "housing_fund_arrears", "utility_arrears"):
        assert catalog.item(item_id).negative and catalog.item(item_id).publicity_rule == "stated"


# --------------------------------------------------------------------------------------------- through intake
def test_intake_stores_the_window_and_checks_the_severity_column(ctx: Context) -> None:
    dept_uscc = uscc(9001, authority="1", org_type="1")
    dept = add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=dept_uscc)
    rows = [
        penalty_row(1, dept_uscc, decided_on="2025-08-31"),  # 罚款 → 一般, Order 58, straddles Order 36
        penalty_row(2, dept_uscc, decided_on="2026-05-06", severity="严重"),
        penalty_row(3, dept_uscc, decided_on="2026-05-06", severity="minor"),  # the code is accepted
        penalty_row(4, dept_uscc, decided_on="2025-02-10", legal_basis="《中华人民共和国消防法》第六十条"),
    ]
    summary = service.submit_rows(ctx, "penalty", dept.id, rows)
    assert (summary.status, summary.accepted) == ("loaded", 4), summary.errors
    stored = {
        r.doc_no: (
            r.severity,
            r.regime,
            r.publicity_min_end,
            r.publicity_end,
            r.publicity_later_end,
            r.publicity_later_from,
            r.publishable,
        )
        for r in ctx.session.scalars(select(CreditRecord).where(CreditRecord.batch_id == summary.batch_id))
    }
    assert stored == {
        "番市监罚〔2026〕1号": (
            "general",
            "ndrc_order_58",
            date(2025, 11, 30),
            date(2028, 8, 31),
            date(2026, 8, 31),
            date(2026, 4, 1),
            True,
        ),
        "番市监罚〔2026〕2号": ("serious", "ndrc_order_36", date(2027, 5, 6), date(2029, 5, 6), None, None, True),
        "番市监罚〔2026〕3号": ("minor", "ndrc_order_36", None, None, None, None, False),
        "番市监罚〔2026〕4号": (
            "general",
            "ndrc_order_58",
            date(2026, 2, 10),
            date(2028, 2, 10),
            date(2026, 2, 10),
            date(2026, 4, 1),
            True,
        ),
    }
    refused = service.submit_rows(ctx, "penalty", dept.id, [penalty_row(5, dept_uscc, severity="很严重")])
    assert refused.status == "rejected"
    assert any(e.field == "失信严重程度" and "轻微、一般、严重" in e.reason for e in refused.errors)
