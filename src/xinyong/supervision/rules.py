"""The inspection rulebook (``rules/inspections.yaml``): the item library (随机抽查事项清单), the result categories,
the assignment rules and the draw algorithm, validated at load."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.catalog.items import load_catalog
from xinyong.rules.loader import RULES_DIR, load_rulebook
from xinyong.subjects.industries import check_industry
from xinyong.subjects.models import SUBJECT_KINDS
from xinyong.supervision.draw import ALGORITHM

TASK_INSPECTORS = 2  # inspection_task holds inspector_a and inspector_b
RESULT_ITEM = "inspection_result"  # the catalogue item results become (catalog/items/inspection_result.yaml)
RESULT_FIELD = "result"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InspectionItem(Strict):
    """One entry of the item library."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=60)
    department: str = Field(description="department code (catalog/departments.yaml)")
    basis: str = Field(min_length=4)
    subject_kinds: tuple[str, ...] = Field(min_length=1)
    industries: tuple[str, ...] = ()
    source: str = Field(min_length=4)

    @model_validator(mode="after")
    def _known(self) -> InspectionItem:
        unknown = [k for k in self.subject_kinds if k not in SUBJECT_KINDS]
        if unknown:
            raise ValueError(f"抽查事项 {self.code} 的主体类别未知：{unknown}（可用：{list(SUBJECT_KINDS)}）")
        if load_departments().by_code(self.department) is None:
            raise ValueError(f"抽查事项 {self.code} 的实施部门 {self.department!r} 不在部门目录中")
        for key in self.industries:
            check_industry(key)
        return self


class ResultCode(Strict):
    """A result category (检查结果)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    label: str = Field(min_length=2, max_length=60)
    problem: bool


class Assignment(Strict):
    """How inspectors are assigned to the drawn subjects."""

    inspectors_per_task: int
    inspectors_source: str = Field(min_length=4)
    avoid_same_township: bool
    township_source: str = Field(min_length=4)
    conflicts_source: str = Field(min_length=4)
    balance: str
    balance_source: str = Field(min_length=4)

    @model_validator(mode="after")
    def _supported(self) -> Assignment:
        if self.inspectors_per_task != TASK_INSPECTORS:
            raise ValueError(f"每项任务的检查人员数应为 {TASK_INSPECTORS}（任务表记录两名检查人员）")
        if self.balance != "least_open_tasks":
            raise ValueError(f"未知的分配均衡方式 {self.balance!r}（可用：least_open_tasks）")
        return self


class InspectionRules(Strict):
    """``rules/inspections.yaml``."""

    version: int = Field(ge=1)
    source: str = Field(min_length=4)
    algorithm: str
    default_model: str = Field(min_length=1, max_length=40)
    default_model_source: str = Field(min_length=4)
    candidate_statuses: tuple[str, ...] = Field(min_length=1)
    candidate_statuses_source: str = Field(min_length=4)
    assignment: Assignment
    items: tuple[InspectionItem, ...] = Field(min_length=1)
    results_source: str = Field(min_length=4)
    results: tuple[ResultCode, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> InspectionRules:
        if self.algorithm != ALGORITHM:
            raise ValueError(f"抽取算法 {self.algorithm!r} 未实现（当前实现：{ALGORITHM}）")
        for what, codes in (("抽查事项", [i.code for i in self.items]), ("检查结果", [r.code for r in self.results])):
            duplicated = sorted({c for c in codes if codes.count(c) > 1})
            if duplicated:
                raise ValueError(f"{what}代码重复：{'、'.join(duplicated)}")
        if not any(not r.problem for r in self.results) or not any(r.problem for r in self.results):
            raise ValueError("检查结果应至少包括一项“未发现问题”类和一项“发现问题”类")
        item = load_catalog().items.get(RESULT_ITEM)
        allowed = set(item.field(RESULT_FIELD).values) if item else set()
        missing = [r.label for r in self.results if r.label not in allowed]
        if missing:
            raise ValueError(f"检查结果 {missing} 不在信息资源目录 {RESULT_ITEM}.{RESULT_FIELD} 的取值中")
        return self

    def item(self, code: str) -> InspectionItem | None:
        """The item ``code``, or None."""
        return next((i for i in self.items if i.code == code), None)

    def result(self, code: str) -> ResultCode | None:
        """The result category ``code``, or None."""
        return next((r for r in self.results if r.code == code), None)


def inspection_rules(directory: Path = RULES_DIR) -> InspectionRules:
    """The inspection rulebook (validated, cached); ``RulebookError`` with the reason when it does not validate."""
    return load_rulebook("inspections", InspectionRules, directory)
