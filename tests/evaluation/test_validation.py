"""The scorecard validation report on a constructed dataset: known grades, transitions and bad rates; a planted
violation of the monotone bad rate; a model change changes the report; stored runs and transient grading agree."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.evaluation import service
from xinyong.evaluation.models_yaml import MODELS_DIR, parse_model
from xinyong.evaluation.validation import horizon_end, last_month_ends, month_ends, validate_model
from xinyong.evaluation.validation_markdown import to_markdown
from xinyong.intake.models import IntakeBatch
from xinyong.records import effects
from xinyong.subjects.models import Department, Subject

JAN, FEB = date(2026, 1, 31), date(2026, 2, 28)


class District:
    """Four clean firms (A), b1 with a general penalty in January (88, B), c1 with a serious one in January (70, C)
    and a general one on 15 February (58, D at the end of February) and a third on 10 March."""

    def __init__(self, ctx: Context, departments: tuple[Department, Department]) -> None:
        self.ctx = ctx
        self.department = departments[0]
        self.batch = make_batch(ctx.session, departments[0])
        self.firm = {
            name: company(ctx, f"广州验证{name}有限公司", 820 + n)
            for n, name in enumerate(("a1", "a2", "a3", "a4", "b1", "c1"))
        }
        self.rows = 0
        self.penalty("b1", date(2026, 1, 20), "general")
        self.penalty("c1", date(2026, 1, 10), "serious")
        self.penalty("c1", date(2026, 2, 15), "general")
        self.penalty("c1", date(2026, 3, 10), "general")

    def penalty(self, name: str, decided: date, severity: str, batch: IntakeBatch | None = None) -> Any:
        self.rows += 1
        record = make_record(
            self.ctx.session,
            batch or self.batch,
            doc_no=f"验证罚{self.rows}",
            decided_on=decided,
            subject=self.firm[name],
            row_no=self.rows,
        )
        record.severity = severity
        self.ctx.session.flush()
        return record

    def subject(self, name: str) -> Subject:
        return self.firm[name]


@pytest.fixture
def district(ctx: Context, departments: tuple[Department, Department]) -> District:
    return District(ctx, departments)


def test_months_and_horizons() -> None:
    assert month_ends((2025, 11), (2026, 2)) == [date(2025, 11, 30), date(2025, 12, 31), JAN, FEB]
    assert horizon_end(JAN, 1) == FEB and horizon_end(date(2025, 12, 31), 2) == FEB
    assert horizon_end(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert last_month_ends(date(2026, 11, 27), 3) == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]
    assert last_month_ends(date(2026, 10, 31), 1) == [date(2026, 10, 31)]


def test_known_transitions_and_bad_rates(ctx: Context, district: District) -> None:
    report = validate_model(ctx, "general", "2026-01", "2026-02", horizon=1)
    jan, feb = report.months
    assert (jan.as_of, jan.source, jan.horizon_end, jan.complete) == (JAN, "computed", FEB, True)
    assert jan.grades == {"A": 4, "B": 1, "C": 1, "D": 0}
    assert jan.bad == {"A": 0, "B": 0, "C": 1, "D": 0}  # c1's February penalty
    assert jan.bad_rate == {"A": 0.0, "B": 0.0, "C": 1.0, "D": None} and jan.monotone
    assert feb.grades == {"A": 4, "B": 1, "C": 0, "D": 1}
    assert feb.bad == {"A": 0, "B": 0, "C": 0, "D": 1}  # c1's March penalty
    [move] = report.transitions
    assert (move.subjects, move.kept, move.kept_share, move.entered, move.left) == (6, 5, 0.8333, 0, 0)
    assert move.matrix["A"] == {"A": 4, "B": 0, "C": 0, "D": 0}
    assert move.matrix["B"]["B"] == 1 and move.matrix["C"] == {"A": 0, "B": 0, "C": 0, "D": 1}
    assert [(p.grade, p.subjects, p.bad, p.bad_rate) for p in report.pooled] == [
        ("A", 8, 0, 0.0),
        ("B", 2, 0, 0.0),
        ("C", 1, 1, 1.0),
        ("D", 1, 1, 1.0),
    ]
    assert report.monotone and report.months_monotone == 2 and report.kept_share == 0.8333
    assert (report.horizon_months, report.bad_items, report.report_day) == (1, ["penalty"], date(2026, 11, 27))
    default = validate_model(ctx, None, "2026-01", "2026-01")
    assert default.horizon_months == 12 and default.months[0].bad["C"] == 1 and default.transitions == []
    text = to_markdown(report, "xinyong evaluate validate --from 2026-01 --to 2026-02 --horizon 1")
    assert "| C | 较高风险 | 1 | 1 | 100.00% |" in text and "--horizon 1" in text


def test_a_planted_violation_breaks_the_monotone_flag(ctx: Context, district: District) -> None:
    district.penalty("a1", date(2026, 2, 5), "minor")  # a clean firm (A) is penalised in February
    report = validate_model(ctx, "general", "2026-01", "2026-02", horizon=1)
    jan = report.months[0]
    assert jan.bad["A"] == 1 and jan.bad_rate["A"] == 0.25 and jan.bad_rate["B"] == 0.0
    assert not jan.monotone and report.months[1].monotone and report.months_monotone == 1
    assert not report.monotone  # pooled: A 1/8 > B 0/2
    assert "**否**" in to_markdown(report)


def test_revoked_and_later_penalties_do_not_count(ctx: Context, district: District) -> None:
    revoked = district.penalty("a1", date(2026, 2, 5), "general")
    effects.add_effect(ctx, revoked, "revoked", date(2026, 3, 1), source_type="revocation", source_id=None)
    licences = make_batch(ctx.session, district.department, item_id="licence")
    district.penalty("a2", date(2026, 2, 6), "general", batch=licences)  # not a penalty
    report = validate_model(ctx, "general", "2026-01", "2026-01", horizon=1)
    assert report.months[0].bad == {"A": 0, "B": 0, "C": 1, "D": 0}
    district.penalty("a3", date(2026, 11, 28), "general")  # decided after the report day (27 November)
    district.penalty("a4", date(2026, 11, 20), "minor")
    late = validate_model(ctx, "general", "2026-10", "2026-10", horizon=3)
    assert late.months[0].bad["A"] == 1 and not late.months[0].complete
    assert late.months[0].horizon_end == date(2027, 1, 31) and late.complete_months == 0


def test_a_model_change_changes_the_report(ctx: Context, district: District) -> None:
    data = yaml.safe_load((MODELS_DIR / "general.yaml").read_text(encoding="utf-8"))
    data["version"] = 99
    supervision = next(d for d in data["dimensions"] if d["code"] == "supervision")
    next(i for i in supervision["indicators"] if i["code"] == "penalty_general")["points"] = -30
    changed = parse_model(data)
    before = validate_model(ctx, "general", "2026-01", "2026-02", horizon=1)
    after = validate_model(ctx, changed, "2026-01", "2026-02", horizon=1)
    assert (after.model, after.version) == ("general", 99)
    assert after.months[0].grades == {"A": 4, "B": 0, "C": 2, "D": 0}  # b1: 100 - 30 = 70
    assert after.months[0].bad_rate["C"] == 0.5 and after.months[0].grades != before.months[0].grades
    assert after.months[1].grades == {"A": 4, "B": 0, "C": 1, "D": 1}  # c1: 100 - 30 - 30 = 40


def test_stored_runs_are_used_and_agree_with_transient_grading(ctx: Context, district: District) -> None:
    computed = validate_model(ctx, "general", "2026-01", "2026-02", horizon=1)
    run = service.run_evaluation(ctx, JAN)
    stored = validate_model(ctx, "general", "2026-01", "2026-02", horizon=1)
    assert (stored.months[0].source, stored.months[0].run_id) == ("run", run.run_id)
    assert stored.months[1].source == "computed"
    same = ("grades", "bad", "bad_rate", "monotone")
    assert [m.model_dump(include=set(same)) for m in stored.months] == [
        m.model_dump(include=set(same)) for m in computed.months
    ]
    assert stored.transitions == computed.transitions


def test_bad_ranges_and_readers(ctx: Context, district: District) -> None:
    for args, field in (
        (("2026-03", "2026-01"), "from"),
        (("2026-13", "2026-12"), "from"),
        (("2026-01", "2026-11"), "to"),  # 30 November is after today (27 November)
        (("2022-01", "2026-01"), "to"),  # more than 36 months
        (("202601", "2026-02"), "from"),
        (("0000-01", "2026-02"), "from"),
    ):
        with pytest.raises(InvalidInput) as bad:
            validate_model(ctx, "general", *args)
        assert bad.value.field == field
    with pytest.raises(InvalidInput) as horizon:
        validate_model(ctx, "general", "2026-01", "2026-02", horizon=0)
    assert horizon.value.field == "horizon"
    with pytest.raises(PermissionDenied):
        validate_model(Context(session=ctx.session, actor="p", role="public"), "general", "2026-01", "2026-02")
    regulator = Context(session=ctx.session, actor="r", role="regulator")
    assert validate_model(regulator, "general", "2026-01", "2026-01").months[0].subjects == 6
