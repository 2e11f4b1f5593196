"""The PSI policy (``rules/privacy.yaml``): the scopes a bank may intersect with, each with its disclosure mode
(the listed codes, or only their number), false-positive rate, data structure and request-size limit; the
per-institution rate limits; the parallel processing of large requests."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from xinyong.errors import NotFound
from xinyong.rules.loader import load_rulebook

# Bytes of one encrypted element in a request (a compressed P-256 point: 33 bytes) with its protobuf tag and
# length (2 bytes), rounded up; plus the message's own fields. The request-size limit in bytes follows from the
# element limit, so an oversized body is refused before it is parsed.
ELEMENT_BYTES = 40
MESSAGE_OVERHEAD = 64


class Rate(BaseModel):
    """Requests per institution (every scope, refusals included)."""

    per_minute: int = Field(ge=1)
    per_day: int = Field(ge=1)
    source: str


class Parallel(BaseModel):
    """Worker processes for large requests."""

    workers: int = Field(ge=1, le=32)
    parallel_min_elements: int = Field(ge=2)
    source: str


class ScopePolicy(BaseModel):
    """One scope: which subjects its server set holds and how a bank may query it."""

    label: str
    description: str
    kind: Literal["lists", "grade"]
    lists: list[str] = Field(default_factory=list)
    model: str | None = None
    grades: list[str] = Field(default_factory=list)
    reveal_intersection: bool
    allow_membership: bool = True
    data_structure: Literal["GCS", "BLOOM_FILTER"]
    fpr: float = Field(gt=0, lt=0.01)
    max_client_elements: int = Field(ge=1, le=5_000_000)
    source: str
    confidence: Literal["H", "M", "L"]

    @model_validator(mode="after")
    def _members(self) -> ScopePolicy:
        if self.kind == "lists" and not self.lists:
            raise ValueError("a lists scope names its list types (lists:)")
        if self.kind == "grade" and (not self.model or not self.grades):
            raise ValueError("a grade scope names its evaluation model and grades (model:, grades:)")
        return self

    @property
    def max_request_bytes(self) -> int:
        """The largest request body this scope accepts."""
        return MESSAGE_OVERHEAD + self.max_client_elements * ELEMENT_BYTES

    @property
    def mode(self) -> str:
        """``intersection`` (the bank learns which of its codes are in the set) or ``cardinality`` (how many)."""
        return "intersection" if self.reveal_intersection else "cardinality"

    def fingerprint(self) -> str:
        """What of the policy a compiled set depends on (part of the set's digest)."""
        parts = [self.kind, ",".join(self.lists), str(self.model), ",".join(self.grades)]
        parts += [str(self.reveal_intersection), self.data_structure, repr(self.fpr), str(self.max_client_elements)]
        return "|".join(parts)


class PrivacyPolicy(BaseModel):
    """``rules/privacy.yaml``."""

    version: int = Field(ge=1)
    source: str
    rate: Rate
    parallel: Parallel
    scopes: dict[str, ScopePolicy]

    @model_validator(mode="after")
    def _scope_names(self) -> PrivacyPolicy:
        for name in self.scopes:
            if not name.replace("_", "").isalnum() or len(name) > 40:
                raise ValueError(f"scope name {name!r}: letters, digits and _ only, at most 40 characters")
        return self


@cache
def load_policy() -> PrivacyPolicy:
    """The PSI policy (cached)."""
    return load_rulebook("privacy", PrivacyPolicy)


def scope_policy(scope: str) -> ScopePolicy:
    """The policy of ``scope``; ``NotFound`` naming the known scopes otherwise."""
    found = load_policy().scopes.get(scope)
    if found is None:
        known = "、".join(load_policy().scopes)
        raise NotFound(f"未知的求交范围“{scope[:40]}”，可用范围：{known}", field="scope")
    return found
