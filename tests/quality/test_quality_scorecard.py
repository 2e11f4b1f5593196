"""The monthly scorecard: each metric on hand-built data with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quality.quality_data import SFJ_TIMELINESS, Batches, record, reference, rejected, timeliness_data
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import CalendarDay, CalendarYear
from xinyong.errors import InvalidInput, NotFound
from xinyong.quality.rules import QualityRules, quality_rules
from xinyong.quality.schemas import DepartmentScore, Scorecard
from xinyong.quality.scorecard import DeadlineNotComputable, month_bounds, rank, scorecard
from xinyong.subjects.models import Department

OCT = "2026-10"


def row(card: Scorecard, code: str) -> DepartmentScore:
    [found] = [d for d in card.departments if d.code == code]
    return found


@pytest.fixture
def batches(db: Session) -> Batches:
    return Batches(db)


# --------------------------------------------------------------------------------------------- timeliness


def test_timeliness_counts_working_days_across_national_day(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    scjgj, sfj = departments
    timeliness_data(batches, sfj, scjgj)
    card = scorecard(ctx, OCT, item_id="penalty")
    s = row(card, "sfj")
    assert s.records == 10 and s.on_time == 7
    assert s.timeliness_rate == 0.7 and s.late_rate == 0.3
    assert sum(late for _, _, late in SFJ_TIMELINESS) == 3
    m = row(card, "scjgj")  # 20 working days for market supervision (SAMR Order 45)
    assert m.records == 1 and m.timeliness_rate == 1.0 and m.late_rate == 0.0


def test_new_versions_and_other_months_are_not_new_records(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    v1 = record(batches, sfj, "番司罚〔2026〕50号", date(2026, 9, 1), date(2026, 9, 2))
    record(batches, sfj, "番司罚〔2026〕50号", date(2026, 9, 1), date(2026, 10, 20), supersedes=v1)
    record(batches, sfj, "番司罚〔2026〕51号", date(2026, 11, 2), date(2026, 11, 3))
    s = row(scorecard(ctx, OCT), "sfj")
    assert s.records == 0 and s.timeliness_rate is None and s.late_rate is None
    assert row(scorecard(ctx, "2026-09"), "sfj").records == 1


def test_uncovered_calendar_year_is_a_clear_error(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    # Decided 2026-12-30, reported 2027-01-20: its deadline falls in 2027, which no source covers.
    record(batches, sfj, "番司罚〔2026〕99号", date(2026, 12, 30), date(2027, 1, 20))
    with pytest.raises(DeadlineNotComputable) as caught:
        scorecard(ctx, "2027-01", as_of=date(2027, 2, 1))
    assert "2026-12-30" in caught.value.message and "2027" in caught.value.message
    assert caught.value.status == 409


def test_declared_year_makes_the_deadline_computable(
    ctx: Context, db: Session, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    record(batches, sfj, "番司罚〔2026〕99号", date(2026, 12, 30), date(2027, 1, 20))
    at = ctx.at
    db.add(
        CalendarDay(day=date(2027, 1, 1), is_workday=False, name="元旦", source="测试", created_by="t", created_at=at)
    )
    db.add(CalendarYear(year=2027, source="测试", declared_by="t", declared_at=at))
    db.flush()
    # 12-31 (1), 01-04 … 01-08 (2–6), 01-11 (7): deadline 2027-01-11, reported 01-20 → late.
    s = row(scorecard(ctx, "2027-01", as_of=date(2027, 2, 1)), "sfj")
    assert s.records == 1 and s.timeliness_rate == 0.0


# --------------------------------------------------------------------------------------------- validity


def test_validity_is_the_first_submission_pass_rate(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    d = date(2026, 10, 9)
    # A: rejected for its errors, corrected three days later → failed first submission.
    rejected(batches, sfj, "A", date(2026, 10, 10))
    record(batches, sfj, "A", d, date(2026, 10, 13))
    # B: accepted at once → passed.
    record(batches, sfj, "B", d, date(2026, 10, 13))
    # C: valid but held by an all-or-nothing batch, then accepted → its first submission passed.
    rejected(batches, sfj, "C", date(2026, 10, 10), valid=True)
    record(batches, sfj, "C", d, date(2026, 10, 13))
    # D: first submitted (and rejected) in September → not October's.
    rejected(batches, sfj, "D", date(2026, 9, 28))
    record(batches, sfj, "D", date(2026, 9, 25), date(2026, 10, 13))
    # E: rejected, never accepted → failed.
    rejected(batches, sfj, "E", date(2026, 10, 20))
    # F: a row without document number → a failed first submission of its own.
    rejected(batches, sfj, None, date(2026, 10, 20))
    # G: loaded, but an erroneous duplicate row of the same key in the same batch → failed.
    g_batch = batches.fresh(sfj, date(2026, 10, 21))
    record(batches, sfj, "G", d, date(2026, 10, 21), batch=g_batch)
    rejected(batches, sfj, "G", date(2026, 10, 21), batch=g_batch)
    # H: re-sent in an earlier batch of the same day with an error, then accepted in a later batch.
    first = batches.fresh(sfj, date(2026, 10, 22))
    second = batches.fresh(sfj, date(2026, 10, 22))
    rejected(batches, sfj, "H", date(2026, 10, 22), batch=first)
    record(batches, sfj, "H", d, date(2026, 10, 22), batch=second)
    s = row(scorecard(ctx, OCT), "sfj")
    # keys first submitted in October: A B C E F G H; passed: B C.
    assert (s.keys_first_submitted, s.keys_passed) == (7, 2)
    assert s.validity_rate == 0.2857
    september = row(scorecard(ctx, "2026-09"), "sfj")
    assert (september.keys_first_submitted, september.keys_passed, september.validity_rate) == (1, 0, 0.0)


def test_correction_days_average_working_days_from_first_rejection(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    d = date(2026, 9, 25)
    # A: rejected Saturday 10-10 (a make-up working day), accepted Tuesday 10-13: 10-12, 10-13 → 2.
    rejected(batches, sfj, "A", date(2026, 10, 10))
    rejected(batches, sfj, "A", date(2026, 10, 12))
    record(batches, sfj, "A", d, date(2026, 10, 13))
    # D: rejected 09-28, accepted 10-13 across 国庆: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12, 10-13 → 7.
    rejected(batches, sfj, "D", date(2026, 9, 28))
    record(batches, sfj, "D", d, date(2026, 10, 13))
    # Not corrections: accepted at once; held valid row; erroneous duplicate in the accepting batch.
    record(batches, sfj, "B", d, date(2026, 10, 13))
    rejected(batches, sfj, "C", date(2026, 10, 10), valid=True)
    record(batches, sfj, "C", d, date(2026, 10, 14))
    g_batch = batches.fresh(sfj, date(2026, 10, 21))
    record(batches, sfj, "G", d, date(2026, 10, 21), batch=g_batch)
    rejected(batches, sfj, "G", date(2026, 10, 21), batch=g_batch)
    s = row(scorecard(ctx, OCT), "sfj")
    assert s.corrected_keys == 2 and s.correction_days == 4.5


# --------------------------------------------------------------------------------------------- completeness


def test_completeness_counts_expected_fields_filled(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    day, decided = date(2026, 10, 13), date(2026, 10, 12)
    # penalty's expected fields (catalogue `expected: true`): uscc, fine_amount, publicity_end.
    record(batches, sfj, "1", decided, day)  # 3 of 3
    record(batches, sfj, "2", decided, day, data={"uscc": "91440113MA000001X0", "fine_amount": "  "})  # 1
    record(batches, sfj, "3", decided, day, data={"fine_amount": None, "publicity_end": "2027-04-12"})  # 1
    record(batches, sfj, "4", decided, day, data={})  # 0
    s = row(scorecard(ctx, OCT), "sfj")
    assert (s.filled_fields, s.expected_fields) == (5, 12)
    assert s.completeness_rate == 0.4167


def test_completeness_per_item_uses_that_items_expected_fields(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    licences = Batches(db, item_id="licence")
    # licence's expected fields (uscc, certificate_name, licence_no, and any others marked expected).
    from xinyong.catalog.items import load_catalog

    expected = [f.key for f in load_catalog().item("licence").fields if f.expected]
    record(licences, sfj, "许可1", date(2026, 10, 12), date(2026, 10, 13), data=dict.fromkeys(expected, "x"))
    record(licences, sfj, "许可2", date(2026, 10, 12), date(2026, 10, 13), data={})
    s = row(scorecard(ctx, OCT, item_id="licence"), "sfj")
    assert (s.filled_fields, s.expected_fields) == (len(expected), 2 * len(expected))
    assert s.completeness_rate == 0.5
    assert row(scorecard(ctx, OCT, item_id="penalty"), "sfj").records == 0


# --------------------------------------------------------------------------------------------- omissions


def test_omissions_from_a_reference_list(
    ctx: Context, db: Session, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    reference(db, sfj, "R1", date(2026, 10, 9))  # deadline 10-19, reported → not an omission
    record(batches, sfj, "R1", date(2026, 10, 9), date(2026, 10, 20))
    reference(db, sfj, "R2", date(2026, 10, 9))  # deadline 10-19, never reported → omission
    reference(db, sfj, "R3", date(2026, 10, 28))  # deadline 11-05: not due in October
    reference(db, sfj, "R4", date(2026, 9, 1))  # long overdue, never reported → omission (cumulative)
    reference(db, sfj, "R5", date(2026, 10, 9), item_id="licence")  # another item
    s = row(scorecard(ctx, OCT, item_id="penalty"), "sfj")
    assert (s.reference_due, s.omissions, s.omission_rate) == (3, 2, 0.6667)
    # As of 10-15 (before R1/R2's deadline): only R4 is due.
    early = row(scorecard(ctx, OCT, item_id="penalty", as_of=date(2026, 10, 15)), "sfj")
    assert (early.reference_due, early.omissions, early.omission_rate) == (1, 1, 1.0)
    # Every item: R5 (licence, deadline 10-19) is due and missing too.
    assert (row(scorecard(ctx, OCT), "sfj").reference_due, row(scorecard(ctx, OCT), "sfj").omissions) == (4, 3)


def test_a_report_after_the_horizon_does_not_cure_an_old_omission(
    ctx: Context, db: Session, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    reference(db, sfj, "R2", date(2026, 10, 9))
    record(batches, sfj, "R2", date(2026, 10, 9), date(2026, 11, 10))  # reported in November
    assert row(scorecard(ctx, OCT, item_id="penalty"), "sfj").omissions == 1
    assert row(scorecard(ctx, "2026-11", item_id="penalty"), "sfj").omissions == 0


# --------------------------------------------------------------------------------------------- score, grade, rank


def test_score_grade_and_rank_from_the_default_weights(
    ctx: Context, db: Session, batches: Batches, departments: tuple[Department, Department]
) -> None:
    scjgj, sfj = departments
    timeliness_data(batches, sfj, scjgj)
    reference(db, sfj, "R4", date(2026, 9, 1))  # sfj: one omission out of one due
    card = scorecard(ctx, OCT)
    s, m = row(card, "sfj"), row(card, "scjgj")
    # sfj: validity 10/10, timeliness 7/10, completeness 30/30, omission 1/1 → (35 + 24.5 + 20 + 0) = 79.5
    assert (s.validity_rate, s.timeliness_rate, s.completeness_rate, s.omission_rate) == (1.0, 0.7, 1.0, 1.0)
    assert s.score == 79.5 and s.grade == "一般"
    # scjgj: nothing on a reference list → omission left out, weights rescaled: 100.
    assert m.score == 100.0 and m.grade == "优秀" and m.omission_rate is None
    assert [d.code for d in card.departments] == ["scjgj", "sfj"] and (m.rank, s.rank) == (1, 2)
    assert card.rules_version == quality_rules().version
    assert card.weights == {"validity": 35, "timeliness": 35, "completeness": 20, "omission": 10}


def test_weights_and_grades_come_from_the_yaml(
    ctx: Context, batches: Batches, departments: tuple[Department, Department], tmp_path: Path
) -> None:
    scjgj, sfj = departments
    timeliness_data(batches, sfj, scjgj)
    text = (Path(quality_rules.__code__.co_filename).parent.parent / "rules" / "quality.yaml").read_text("utf-8")
    text = text.replace('weight: 35\n    source: "rules.md §3 (H', 'weight: 100\n    source: "rules.md §3 (H')
    text = text.replace("version: 1", "version: 7").replace("min_score: 70", "min_score: 60")
    (tmp_path / "quality.yaml").write_text(text, "utf-8")
    rules = quality_rules(tmp_path)
    assert rules.weight("timeliness") == 100 and rules.version == 7
    card = scorecard(ctx, OCT, rules=rules)
    # sfj: (35 × 1 + 100 × 0.7 + 20 × 1) / 155 × 100 = 80.645… → 80.65
    assert row(card, "sfj").score == 80.65 and row(card, "sfj").grade == "一般"
    assert card.rules_version == 7 and card.weights["timeliness"] == 100


def test_rulebook_validation() -> None:
    base = quality_rules().model_dump()
    for broken in (
        {**base, "weights": {k: v for k, v in base["weights"].items() if k != "omission"}},
        {**base, "grades": list(reversed(base["grades"]))},
        {**base, "grades": base["grades"][:-1]},
    ):
        with pytest.raises(ValueError):
            QualityRules.model_validate(broken)


def test_ties_share_a_rank() -> None:
    def score(code: str, value: float | None) -> DepartmentScore:
        zero = dict.fromkeys(
            ("records", "rows_submitted", "omissions", "keys_first_submitted", "keys_passed", "on_time"), 0
        )
        zero |= dict.fromkeys(("expected_fields", "filled_fields", "reference_due", "corrected_keys"), 0)
        rates = dict.fromkeys(
            ("validity_rate", "timeliness_rate", "late_rate", "completeness_rate", "omission_rate", "correction_days")
        )
        return DepartmentScore(
            department=code, code=code, department_id=1, score=value, grade=None, rank=None, **zero, **rates
        )

    ranked = rank([score("d", 90.0), score("a", 97.5), score("c", 97.5), score("e", None), score("b", 80.0)])
    assert [(r.code, r.rank) for r in ranked] == [("a", 1), ("c", 1), ("d", 3), ("b", 4), ("e", None)]


def test_ranking_ties_in_a_scorecard(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    scjgj, sfj = departments
    for dept in (scjgj, sfj):
        record(batches, dept, "1", date(2026, 10, 12), date(2026, 10, 13))
    card = scorecard(ctx, OCT)
    assert [(d.code, d.rank, d.score) for d in card.departments] == [("scjgj", 1, 100.0), ("sfj", 1, 100.0)]


# --------------------------------------------------------------------------------------------- edges


def test_zero_data_month_gives_nulls_for_every_department(
    ctx: Context, departments: tuple[Department, Department]
) -> None:
    card = scorecard(ctx, "2026-08")
    assert [d.code for d in card.departments] == ["scjgj", "sfj"]
    for d in card.departments:
        assert d.records == 0 and d.rows_submitted == 0 and d.omissions == 0
        assert d.validity_rate is d.timeliness_rate is d.late_rate is d.completeness_rate is None
        assert d.omission_rate is d.correction_days is d.score is d.grade is d.rank is None


def test_future_month_is_empty(ctx: Context, departments: tuple[Department, Department]) -> None:
    card = scorecard(ctx, "2027-03")
    assert card.as_of == date(2026, 11, 27) and all(d.score is None for d in card.departments)


def test_rows_submitted_sums_the_months_batches(
    ctx: Context, batches: Batches, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    batches.on(sfj, date(2026, 10, 13), rows=40)
    batches.on(sfj, date(2026, 10, 30), rows=2)
    batches.on(sfj, date(2026, 11, 2), rows=5)
    assert row(scorecard(ctx, OCT), "sfj").rows_submitted == 42


def test_month_validation() -> None:
    assert month_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    for bad in ("2026-13", "2026-1", "26-10", "", "2026-10-01", "1999-12"):
        with pytest.raises(InvalidInput) as caught:
            month_bounds(bad)
        assert caught.value.field == "month"


def test_unknown_item_is_not_found(ctx: Context) -> None:
    with pytest.raises(NotFound) as caught:
        scorecard(ctx, OCT, item_id="nope")
    assert "nope" in caught.value.message and caught.value.field == "item"


def test_permissions_and_audit(db: Session, departments: tuple[Department, Department]) -> None:
    _, sfj = departments
    with pytest.raises(PermissionDenied):
        scorecard(Context(session=db, actor="public", role="public"), OCT)
    with pytest.raises(PermissionDenied):
        scorecard(Context(session=db, actor="bank", role="bank", institution="某银行"), OCT)
    officer = Context(session=db, actor="account:o", role="department_officer", department_id=sfj.id)
    card = scorecard(officer, OCT)  # the 通报 goes to every department: an officer sees all rows
    assert {d.code for d in card.departments} == {"scjgj", "sfj"}
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "read.quality_scorecard").order_by(AuditEvent.id)
    ).all()
    assert event.target_id == OCT and event.actor == "account:o"
