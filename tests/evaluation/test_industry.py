"""Industry models select their subjects by ``subject.industry``; ``model_for_subject`` picks the model a subject
is explained by; a subject's industry is set one at a time or in bulk by rules, audited."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from factories import company, ric
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationResult
from xinyong.evaluation.models_yaml import MODELS_DIR, ModelError, industry_models, load_model, parse_model
from xinyong.subjects.industry_service import IndustryRule, assign_industries_bulk, set_industry
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

AS_OF = date(2026, 11, 27)


@pytest.fixture
def firms(ctx: Context, departments: tuple[Department, Department]) -> dict[str, Subject]:
    """A builder, a training school and a trader without industry, each with one serious penalty (-30)."""
    db = ctx.session
    batch = make_batch(db, departments[0])
    found: dict[str, Subject] = {}
    for n, (name, industry) in enumerate(
        (("builder", "construction"), ("school", "off_campus_training"), ("trader", None))
    ):
        firm = company(ctx, f"广州行业{name}有限公司", 760 + n)
        if industry:
            set_industry(ctx, firm.id, industry)
        record = make_record(db, batch, doc_no=f"行业罚{n}", decided_on=date(2026, 6, 1), subject=firm, row_no=n)
        record.severity = "serious"
        found[name] = firm
    db.flush()
    return found


def graded(ctx: Context, run_id: int) -> dict[int, tuple[float, str]]:
    rows = ctx.session.scalars(select(EvaluationResult).where(EvaluationResult.run_id == run_id))
    return {r.subject_id: (r.score, r.grade) for r in rows}


def test_industry_models_cover_only_their_industry(ctx: Context, firms: dict[str, Subject]) -> None:
    construction = service.run_evaluation(ctx, AS_OF, "construction")
    assert (construction.version, construction.subjects) == (2, 1)
    assert graded(ctx, construction.run_id) == {firms["builder"].id: (64.0, "C")}  # -30 × 1.2
    training = service.run_evaluation(ctx, AS_OF, "off_campus_training")
    assert graded(ctx, training.run_id) == {firms["school"].id: (67.0, "C")}  # -30 × 1.1
    assert service.run_evaluation(ctx, AS_OF, "fire_safety_service").subjects == 0
    general = service.run_evaluation(ctx, AS_OF)
    assert {s: v for s, v in graded(ctx, general.run_id).items()} == {
        firms["builder"].id: (70.0, "C"),
        firms["school"].id: (70.0, "C"),
        firms["trader"].id: (70.0, "C"),
    }


def test_run_all_runs_general_then_every_industry_model(ctx: Context, firms: dict[str, Subject]) -> None:
    runs = service.run_all(ctx, AS_OF)
    assert [(r.model, r.subjects) for r in runs] == [
        ("general", 3),
        ("construction", 1),
        ("fire_safety_service", 0),
        ("off_campus_training", 1),
    ]
    with pytest.raises(PermissionDenied):
        service.run_all(Context(session=ctx.session, actor="d", role="department_officer"), AS_OF)


def test_model_for_subject_and_the_default_explanation(ctx: Context, firms: dict[str, Subject]) -> None:
    assert service.model_for_subject(firms["builder"]) == "construction"
    assert service.model_for_subject(firms["school"]) == "off_campus_training"
    assert service.model_for_subject(firms["trader"]) == "general"
    shop = register_subject(
        ctx,
        SubjectIn(kind="individual_business", name="番禺建筑小店", uscc="00000000000000000X", reg_no="440126600000001"),
    )
    set_industry(ctx, shop.id, "construction")
    assert service.model_for_subject(shop) == "general"  # construction covers legal persons and organisations only

    shown = service.explain(ctx, firms["builder"].id, AS_OF)
    assert (shown.model, shown.version, shown.score, shown.grade) == ("construction", 2, 64.0, "C")
    assert (shown.industry, shown.industry_label, shown.industry_model) == ("construction", "建筑业", "construction")
    general = service.explain(ctx, firms["builder"].id, AS_OF, "general")
    assert (general.model, general.score) == ("general", 70.0)
    plain = service.explain(ctx, firms["trader"].id, AS_OF)
    assert (plain.model, plain.industry, plain.industry_label) == ("general", None, "未分类")
    with pytest.raises(InvalidInput) as outside:
        service.explain(ctx, firms["trader"].id, AS_OF, "construction")
    assert outside.value.field == "model" and "未分类" in outside.value.message


def test_history_defaults_to_the_subjects_model(ctx: Context, firms: dict[str, Subject]) -> None:
    service.run_all(ctx, AS_OF)
    builder = firms["builder"].id
    assert [(h.model, h.score) for h in service.history(ctx, builder)] == [("construction", 64.0)]
    assert [(h.model, h.score) for h in service.history(ctx, builder, "general")] == [("general", 70.0)]
    assert [h.model for h in service.history(ctx, firms["trader"].id)] == ["general"]


def test_model_industries_are_catalogue_keys(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load((MODELS_DIR / "construction.yaml").read_text(encoding="utf-8"))
    assert load_model("construction").applies_to.industries == ("construction",)
    wrong = copy.deepcopy(data)
    wrong["applies_to"]["industries"] = ["建筑业"]  # a label, not a key
    with pytest.raises(ModelError) as caught:
        parse_model(wrong)
    assert "未知的行业 '建筑业'" in str(caught.value) and "construction（建筑业）" in str(caught.value)
    assert industry_models() == {
        "construction": "construction",
        "fire_safety_service": "fire_safety_service",
        "off_campus_training": "off_campus_training",
    }
    twin = copy.deepcopy(data)
    twin["name"] = "construction_twin"
    (tmp_path / "construction.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "construction_twin.yaml").write_text(yaml.safe_dump(twin, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError) as claimed:
        industry_models(tmp_path)
    assert "construction" in str(claimed.value) and "只能有一个行业模型" in str(claimed.value)


def test_set_industry_validates_and_audits(ctx: Context, departments: tuple[Department, Department]) -> None:
    firm = company(ctx, "广州设置行业有限公司", 780)
    with pytest.raises(InvalidInput) as unknown:
        set_industry(ctx, firm.id, "mining")
    assert unknown.value.field == "industry" and "未知的行业 'mining'" in unknown.value.message
    assert ctx.session.get(Subject, firm.id).industry is None  # type: ignore[union-attr]
    set_industry(ctx, firm.id, " fire_safety_service ")
    set_industry(ctx, firm.id, None)
    events = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject.set_industry").order_by(AuditEvent.id)
    ).all()
    assert [(e.detail["old"], e.detail["new"]) for e in events] == [
        (None, "fire_safety_service"),
        ("fire_safety_service", None),
    ]
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="李四", ric=ric(seq="456")))
    with pytest.raises(InvalidInput):
        set_industry(ctx, person.id, "construction")
    with pytest.raises(PermissionDenied):
        set_industry(Context(session=ctx.session, actor="r", role="regulator"), firm.id, "construction")


def test_bulk_assignment_by_rules_is_one_audited_update(
    ctx: Context, departments: tuple[Department, Department]
) -> None:
    builder = company(ctx, "广州宏达建筑工程有限公司", 781)
    decorator = company(ctx, "广州宏达装饰工程有限公司", 782)
    school = company(ctx, "广州启迪教育科技有限公司", 783)
    kept = company(ctx, "广州已分类建筑工程有限公司", 784)
    set_industry(ctx, kept.id, "internet")
    rules = [
        IndustryRule("construction", name_contains=("建筑工程", "装饰工程")),
        IndustryRule("off_campus_training", name_contains=("教育科技",)),
        IndustryRule("fire_safety_service", sample_permille=0),
    ]
    assert assign_industries_bulk(ctx, rules) == {"construction": 2, "off_campus_training": 1, "fire_safety_service": 0}
    industries = {s.id: s.industry for s in ctx.session.scalars(select(Subject))}
    assert (industries[builder.id], industries[decorator.id]) == ("construction", "construction")
    assert (industries[school.id], industries[kept.id]) == ("off_campus_training", "internet")
    [event] = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject.assign_industries").order_by(AuditEvent.id)
    ).all()
    assert event.detail["assigned"]["construction"] == 2 and len(event.detail["rules"]) == 3
    with pytest.raises(InvalidInput):
        assign_industries_bulk(ctx, [IndustryRule("construction", name_contains=("x",)), IndustryRule("nope", ("y",))])
    with pytest.raises(InvalidInput):
        assign_industries_bulk(ctx, [IndustryRule("construction")])  # no keyword nor share: refused
    every = assign_industries_bulk(ctx, [IndustryRule("internet", sample_permille=1000)])
    assert every == {"internet": 0}  # nobody is left without an industry
