"""The case-verification rulebook (rules/verification.yaml): the six stages of work-plan item 八 in order, every
entry cited, L-confidence periods said to be configuration, and broken rulebooks refused at load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from xinyong.lists.verification_rules import STAGE_CODES, VerificationRules, verification_rules
from xinyong.rules.loader import RULES_DIR, RulebookError


def _data() -> dict[str, Any]:
    return yaml.safe_load((RULES_DIR / "verification.yaml").read_text(encoding="utf-8"))


def test_shipped_rulebook_has_the_six_stages_in_the_work_plans_order() -> None:
    book = verification_rules()
    assert [s.code for s in book.stages] == list(STAGE_CODES)
    assert [s.label for s in book.stages] == ["核查", "记录", "监管", "惩戒", "整改", "教育"]
    assert (book.first.code, book.last.code) == ("verify", "educate")
    assert book.next_stage("punish").code == "rectify" and book.next_stage("educate") is None
    assert book.linked_stage("credit_record").code == "record"
    assert book.linked_stage("list_entry").code == "punish"
    assert "工作要点（八）" in book.source and "国办发〔2020〕49号" in book.source
    assert "(L, not confirmed)" in book.deadlines_source


def test_every_stage_source_and_outcome_is_cited() -> None:
    book = verification_rules()
    for entry in (*book.stages, *book.sources, *book.outcomes):
        assert entry.source.strip()
    assert all("(L" in s.source for s in book.stages)  # the periods are platform defaults
    assert {s.code for s in book.sources} >= {"hotline_12345", "department_referral", "public_report", "media"}
    assert book.unfounded.code == "unfounded"
    assert [o.code for o in book.outcomes_by("last_stage")] == ["rectified", "punished"]
    assert "transferred" in [o.code for o in book.outcomes_by("office")]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["stages"].reverse(), "按顺序排列"),
        (lambda d: d["stages"].pop(), "六个环节"),
        (lambda d: d["stages"][2].update(link="credit_record"), "只能出现在一个环节"),
        (lambda d: d["stages"][0].update(workdays=0), "workdays"),
        (lambda d: d["stages"][0].update(source=""), "source"),
        (lambda d: d["sources"].append(dict(d["sources"][0])), "案件来源代码重复"),
        (lambda d: d["outcomes"].pop(0), "closed_by: unfounded"),
        (lambda d: d["outcomes"].__setitem__(slice(1, 3), []), "last_stage"),
        (lambda d: d["outcomes"][0].update(code="A much too long outcome code"), "code"),
        (lambda d: d["limits"].update(note_min=50, note_max=20), "note_min"),
        (lambda d: d.update(surprise=True), "surprise"),
    ],
)
def test_broken_rulebooks_are_refused(change: Any, words: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(ValidationError, match=words):
        VerificationRules.model_validate(data)


def test_a_file_that_does_not_validate_names_itself(tmp_path: Path) -> None:
    data = _data()
    data["stages"] = data["stages"][:3]
    (tmp_path / "verification.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError, match=r"verification\.yaml"):
        verification_rules(tmp_path)
