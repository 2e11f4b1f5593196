"""Each computed kind on the small data set of ``monitoring_data``: district and township values."""

from __future__ import annotations

from datetime import date

import pytest

from factories import uscc
from monitoring import monitoring_data as md
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.calendar import load_calendar
from xinyong.monitoring import compute
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import correct_code, register_subject


def _scope(ctx: Context) -> compute.Scope:
    return compute.Scope(ctx.session, date(2026, 11, 1), date(2026, 11, 30))


def _values(counts: compute.Counts) -> dict[str | None, float | None]:
    out: dict[str | None, float | None] = {k: (n / d * counts.per if d else None) for k, (n, d) in counts.pairs.items()}
    num, den = counts.district()
    out["district"] = num / den * counts.per if den else None
    return out


def test_gongshi_volume_timeliness_and_validity(ctx: Context) -> None:
    data = md.base(ctx)
    md.gongshi(ctx.session, data)
    volume = _values(compute.gongshi_volume(_scope(ctx)))
    assert volume["district"] == pytest.approx(500)
    assert volume[md.SHIQIAO] == pytest.approx(1000 / 3) and volume[md.SHATOU] == pytest.approx(1000)
    timely = _values(compute.gongshi_timeliness(_scope(ctx)))
    assert (timely["district"], timely[md.SHIQIAO], timely[md.SHATOU]) == (50, 100, 0)
    validity = compute.gongshi_validity(_scope(ctx))
    assert not validity.split and _values(validity)["district"] == 80


def test_code_error_rate_counts_duplicates_and_erroneous_codes(ctx: Context) -> None:
    data = md.base(ctx)
    subject = SubjectIn(kind="legal_person", name="重码公司", uscc=data.shiqiao[0].uscc, township_code=md.SHIQIAO)
    duplicate = register_subject(ctx, subject, allow_duplicate=True)
    rate = _values(compute.code_error_rate(_scope(ctx)))
    assert rate[md.SHIQIAO] == pytest.approx(50) and rate[md.SHATOU] == 0
    assert rate["district"] == pytest.approx(40)
    assert _values(compute.code_correction_rate(_scope(ctx)))[md.SHIQIAO] == 0  # nothing corrected, two left
    correct_code(ctx, duplicate.id, uscc(9), reason="重码，按登记机关核实更正", source="区市场监管局核实函")
    assert _values(compute.code_error_rate(_scope(ctx)))["district"] == 0
    corrected = compute.code_correction_rate(_scope(ctx))
    assert corrected.pairs[md.SHIQIAO] == (1, 1) and _values(corrected)["district"] == 100


def test_repairs_objections_commitments(ctx: Context) -> None:
    data = md.base(ctx)
    md.repairs(ctx.session, data)
    md.objections(ctx.session, data)
    md.commitments(ctx.session, data)
    days = _values(compute.repair_avg_days(_scope(ctx)))
    assert (days["district"], days[md.SHIQIAO], days[md.SHATOU]) == (7, 4, 10)
    done = _values(compute.repair_completion(_scope(ctx)))
    assert (done["district"], done[md.SHIQIAO], done[md.SHATOU]) == (50, 100, 0)
    objections = _values(compute.objection_in_time(_scope(ctx)))
    assert objections["district"] == 50 and md.SHATOU not in objections
    signed = _values(compute.commitments_per_1000(_scope(ctx)))
    assert (signed["district"], signed[md.SHIQIAO], signed[md.SHATOU]) == (750, 1000, 0)


def test_evaluation_coverage_and_list_feedback(ctx: Context) -> None:
    data = md.base(ctx)
    md.evaluation(ctx.session, data)
    md.checks(ctx.session, data)
    coverage = _values(compute.evaluation_coverage(_scope(ctx)))
    assert coverage["district"] == 75 and coverage[md.SHIQIAO] == pytest.approx(200 / 3)
    assert coverage[md.SHATOU] == 100
    before = compute.Scope(ctx.session, date(2026, 10, 1), date(2026, 10, 31))
    assert compute.evaluation_coverage(before).district()[0] == 0  # the run is as of November
    feedback = compute.list_feedback_rate(_scope(ctx))
    assert not feedback.split and _values(feedback)["district"] == pytest.approx(200 / 3)


def test_timeliness_counts_working_days_from_the_catalogue(ctx: Context) -> None:
    """Licences (7 working days) decided on Thursday 2026-10-22: reported 11-02 (the 7th working day, 11
    calendar days: on time) and 11-03 (late); market-supervision penalties (20 working days for 市场监管局)
    decided 10-15: reported 11-12 (the 20th working day: on time) and 11-13 (late). Nine calendar days, the old
    stand-in, would have called both on-time reports late."""
    data = md.base(ctx)
    batch = make_batch(ctx.session, data.market, submitted_on=date(2026, 11, 13))
    for n, (item, decided, reported) in enumerate(
        (
            ("licence", date(2026, 10, 22), date(2026, 11, 2)),
            ("licence", date(2026, 10, 22), date(2026, 11, 3)),
            ("penalty", date(2026, 10, 15), date(2026, 11, 12)),
            ("penalty", date(2026, 10, 15), date(2026, 11, 13)),
        ),
        1,
    ):
        record = make_record(
            ctx.session, batch, doc_no=f"番测〔2026〕{n}号", decided_on=decided, subject=data.shiqiao[0], row_no=n
        )
        record.item_id, record.reported_on = item, reported
    ctx.session.flush()
    calendar = load_calendar(ctx.session)
    assert calendar.deadline(date(2026, 10, 22), 7) == date(2026, 11, 2)
    assert calendar.deadline(date(2026, 10, 15), 20) == date(2026, 11, 12)
    timely = compute.gongshi_timeliness(_scope(ctx))
    assert timely.pairs[md.SHIQIAO] == (2.0, 4.0)
