"""The quality rulebook (``rules/quality.yaml``): metric weights and grade thresholds, each with its source."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.rules.loader import RULES_DIR, load_rulebook

METRICS: tuple[str, ...] = ("validity", "timeliness", "completeness", "omission")
"""The scored metrics, in display order: 合规率, 及时率, 完整率, 1 − 瞒报率."""


class Weight(BaseModel):
    """One metric's weight in the composite score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(ge=0, le=1000)
    source: str = Field(min_length=1)


class Grade(BaseModel):
    """A grade reached from ``min_score`` (0–100) upwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=8)
    min_score: float = Field(ge=0, le=100)
    source: str = Field(min_length=1)


class QualityRules(BaseModel):
    """``rules/quality.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str = Field(min_length=1)
    weights: dict[str, Weight]
    grades: tuple[Grade, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> QualityRules:
        if set(self.weights) != set(METRICS):
            raise ValueError(f"weights 应恰好包含 {', '.join(METRICS)}，实为 {', '.join(sorted(self.weights))}")
        if sum(w.weight for w in self.weights.values()) <= 0:
            raise ValueError("weights 之和必须大于 0")
        thresholds = [g.min_score for g in self.grades]
        if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(thresholds):
            raise ValueError("grades 应按 min_score 从高到低排列且不重复")
        if thresholds[-1] != 0:
            raise ValueError("最后一个等级的 min_score 应为 0（每个得分都有等级）")
        labels = [g.label for g in self.grades]
        if len(set(labels)) != len(labels):
            raise ValueError("grades 的 label 重复")
        return self

    def weight(self, metric: str) -> float:
        """The weight of ``metric`` (one of ``METRICS``)."""
        return self.weights[metric].weight

    def grade(self, score: float) -> str:
        """The label of the first grade whose threshold ``score`` reaches."""
        for g in self.grades:
            if score >= g.min_score:
                return g.label
        return self.grades[-1].label


def quality_rules(directory: Path = RULES_DIR) -> QualityRules:
    """The quality rulebook in force (``<directory>/quality.yaml``, cached)."""
    return load_rulebook("quality", QualityRules, directory)
