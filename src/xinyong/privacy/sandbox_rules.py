"""The data sandbox's rulebook (``rules/sandbox.yaml``): approved views as allowlisted dimensions and measures over
a fixed set of base tables, and the release policy (k, ε, budget, limits). Validated at load: every ``column``
must name a real column of the view's base table or of ``subject``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import InstrumentedAttribute

from xinyong.evaluation.models import EvaluationResult
from xinyong.lists.models import ListEntry
from xinyong.records.models import CreditRecord
from xinyong.rules.loader import load_rulebook
from xinyong.subjects.models import Subject

# The only tables a view may read, and how each reaches its subject (the join and the distinct-subject key).
BASE_TABLES: dict[str, Any] = {
    "subject": Subject,
    "credit_record": CreditRecord,
    "list_entry": ListEntry,
    "evaluation_result": EvaluationResult,
}


class Dimension(BaseModel):
    key: str = Field(pattern=r"^[a-z_]{1,30}$")
    label: str
    column: str
    month: bool = False
    source: str


class Measure(BaseModel):
    key: str = Field(pattern=r"^[a-z_]{1,30}$")
    label: str
    agg: Literal["count_subjects", "count_rows", "sum", "avg"]
    column: str | None = None
    json_key: str | None = None
    only_items: list[str] = Field(default_factory=list)
    clip: float | None = Field(default=None, gt=0)
    noise: bool
    sensitivity: float = Field(default=1.0, gt=0)
    bounds: tuple[float, float] | None = None  # the released value is clamped into [low, high]
    source: str

    @model_validator(mode="after")
    def _column_for_value_aggregates(self) -> Measure:
        if self.agg in ("sum", "avg") and not self.column:
            raise ValueError(f"measure {self.key}: {self.agg} needs a column")
        if self.json_key and self.clip is None:
            raise ValueError(f"measure {self.key}: a summed JSON amount needs a clip (bounds the sensitivity)")
        return self


class View(BaseModel):
    key: str = Field(pattern=r"^[a-z_]{1,30}$")
    label: str
    base: Literal["subject", "credit_record", "list_entry", "evaluation_result"]
    description: str
    source: str
    exclude_kinds: list[str] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(min_length=1)
    measures: list[Measure] = Field(min_length=1)

    @model_validator(mode="after")
    def _columns_exist(self) -> View:
        for entry in [*self.dimensions, *self.measures]:
            column = getattr(entry, "column", None)
            if column is not None:
                resolve_column(self.base, column)
        for group in (self.dimensions, self.measures):
            keys = [entry.key for entry in group]
            if len(keys) != len(set(keys)):
                raise ValueError(f"view {self.key}: duplicate keys")
        return self

    def dimension(self, key: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.key == key), None)

    def measure(self, key: str) -> Measure | None:
        return next((m for m in self.measures if m.key == key), None)


class Policy(BaseModel):
    k: int = Field(ge=2)
    k_source: str
    default_epsilon: float = Field(gt=0)
    max_epsilon_per_query: float = Field(gt=0)
    daily_epsilon_budget: float = Field(gt=0)
    epsilon_source: str
    max_queries_per_day: int = Field(ge=1)
    max_groups: int = Field(ge=1)
    max_dimensions: int = Field(ge=1)
    max_filter_values: int = Field(ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if not self.default_epsilon <= self.max_epsilon_per_query <= self.daily_epsilon_budget:
            raise ValueError("default_epsilon ≤ max_epsilon_per_query ≤ daily_epsilon_budget")
        return self


class FederatedPolicy(BaseModel):
    source: str
    key_bits: int
    allowed_key_bits: list[int] = Field(min_length=1)
    iterations: int = Field(ge=1, le=1000)
    learning_rate: float = Field(gt=0)
    tolerance: float = Field(gt=0, lt=1)
    test_share: float = Field(gt=0, lt=1)
    feature_bits: int = Field(ge=0, le=16)
    residual_bits: int = Field(ge=4, le=32)
    mask_bits: int = Field(ge=40, le=256)
    min_rows: int = Field(ge=1)
    max_rows_api: int = Field(ge=1)
    max_runs_per_day: int = Field(ge=1)
    max_features: int = Field(ge=1)

    @model_validator(mode="after")
    def _key_bits_allowed(self) -> FederatedPolicy:
        if self.key_bits not in self.allowed_key_bits or min(self.allowed_key_bits) < 1024:
            raise ValueError("key_bits must be one of allowed_key_bits, all ≥ 1024")
        return self


class SandboxRules(BaseModel):
    version: int = Field(ge=1)
    source: str
    policy: Policy
    federated: FederatedPolicy
    views: list[View] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_views(self) -> SandboxRules:
        keys = [v.key for v in self.views]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate view keys")
        return self

    def view(self, key: str) -> View | None:
        return next((v for v in self.views if v.key == key), None)


def resolve_column(base: str, column: str) -> InstrumentedAttribute[Any]:
    """The mapped column ``table.column`` of the base table or ``subject``; ValueError for anything else."""
    table, _, name = column.partition(".")
    if table not in (base, "subject") or table not in BASE_TABLES:
        raise ValueError(f"column {column}: only the view's base table {base} or subject")
    model = BASE_TABLES[table]
    if name not in model.__table__.c:
        raise ValueError(f"column {column}: no such column")
    return getattr(model, name)  # type: ignore[no-any-return]


def load_rules() -> SandboxRules:
    """The validated ``rules/sandbox.yaml`` (cached)."""
    return load_rulebook("sandbox", SandboxRules)
