"""The judicial and sector feeds flow into the general evaluation model (issue #11 item 5): a law firm's penalty or
bar sanction and a credit agency's violation or penalty, loaded through intake, lower the subject's score and
grade in a stored run; a passed annual review and a filing do not — SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, uscc
from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationResult
from xinyong.evaluation.models_yaml import load_model
from xinyong.intake import service as intake
from xinyong.subjects.departments import add_department
from xinyong.subjects.models import Subject

AS_OF = date(2026, 11, 27)
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "lawyer-credit.csv"
FIRM_CODE = "31440113MA5C00031C"  # 广东示例律师事务所: a penalty (adverse) and a passed review in the sample
AGENCY = {f.key: f.label for f in load_catalog().item("credit_agency_record").fields}


def agency_row(n: int, kind: str, doc: int) -> dict[str, str]:
    values = {
        "subject_name": f"广州示例征信{n}有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": uscc(n),
        "legal_representative": "赵示例",
        "agency_type": "征信机构",
        "record_kind": kind,
        "doc_no": f"番发改信〔2026〕{doc}号",
        "matter": "未按规定报送备案材料" if kind != "备案" else "企业征信机构备案",
        "legal_basis": "《征信业管理条例》",
        "result": "责令改正" if kind != "备案" else "准予备案",
        "decided_on": "2026-09-15",
        "authority": "广州市番禺区发展和改革局",
    }
    return {AGENCY[k]: v for k, v in values.items()}


def grades(db: Session, run_id: int) -> dict[int, tuple[float, str]]:
    stmt = select(EvaluationResult).where(EvaluationResult.run_id == run_id)
    return {r.subject_id: (r.score, r.grade) for r in db.scalars(stmt)}


@pytest.fixture
def loaded(ctx: Context) -> dict[str, Subject]:
    """The lawyer sample loaded by 区司法局 and agency records loaded by 区发改局; a clean firm beside them."""
    db = ctx.session
    sfj = add_department(ctx, "sfj", "广州市番禺区司法局", uscc=uscc(9301, authority="1", org_type="1"))
    fgj = add_department(ctx, "fgj", "广州市番禺区发展和改革局", uscc=uscc(9302, authority="1", org_type="1"))
    done = intake.submit_file(ctx, "lawyer_credit", sfj.id, io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name)
    assert done.status == "loaded", done.errors
    rows = [agency_row(1, "违规记录", 1), agency_row(1, "行政处罚", 2), agency_row(2, "备案", 3)]
    done = intake.submit_rows(ctx, "credit_agency_record", fgj.id, rows)
    assert done.status == "loaded", done.errors
    return {
        "firm": db.scalars(select(Subject).where(Subject.uscc == FIRM_CODE)).one(),
        "agency": db.scalars(select(Subject).where(Subject.uscc == uscc(1))).one(),
        "filed": db.scalars(select(Subject).where(Subject.uscc == uscc(2))).one(),
        "clean": company(ctx, "广州无记录贸易有限公司", 3),
    }


def test_the_general_model_counts_the_adverse_categories_only() -> None:
    model = load_model("general")
    by_code = {i.code: i for i in model.indicators()}
    assert (by_code["lawyer_sanction"].item, by_code["lawyer_sanction"].categories) == (
        "lawyer_credit",
        ("行政处罚", "行业处分"),
    )
    assert (by_code["agency_violation"].item, by_code["agency_violation"].categories) == (
        "credit_agency_record",
        ("违规记录", "行政处罚"),
    )
    assert all(by_code[c].points < 0 for c in ("lawyer_sanction", "agency_violation"))


def test_a_run_grades_the_sanctioned_firm_and_agency_lower(ctx: Context, loaded: dict[str, Subject]) -> None:
    model = load_model("general")
    run = service.run_evaluation(ctx, AS_OF)
    assert run.version == model.version
    scores = grades(ctx.session, run.run_id)
    clean, filed = scores[loaded["clean"].id], scores[loaded["filed"].id]
    firm, agency = scores[loaded["firm"].id], scores[loaded["agency"].id]
    assert clean == filed == (model.base_score, "A")  # a filing is not adverse
    lawyer_points = next(i.points for i in model.indicators() if i.code == "lawyer_sanction")
    agency_points = next(i.points for i in model.indicators() if i.code == "agency_violation")
    assert firm[0] == model.base_score + lawyer_points and firm[1] != "A"  # the passed review adds nothing
    assert agency[0] == model.base_score + 2 * agency_points and agency[1] != "A"
    assert agency[0] < firm[0] < clean[0]


def test_the_explanation_names_the_records_behind_the_points(ctx: Context, loaded: dict[str, Subject]) -> None:
    shown = service.explain(ctx, loaded["firm"].id, AS_OF)
    sanction = next(i for d in shown.dimensions for i in d.indicators if i.code == "lawyer_sanction")
    assert [(r.item, r.doc_no, r.category) for r in sanction.records] == [
        ("lawyer_credit", "穗番司罚〔2026〕3号", "行政处罚")
    ]
    assert shown.score < shown.base_score and shown.version == load_model("general").version
    # Before the penalty was decided the firm had nothing adverse.
    assert service.explain(ctx, loaded["firm"].id, date(2026, 10, 11)).score == shown.base_score
