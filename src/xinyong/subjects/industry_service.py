"""Setting a subject's industry (行业, a key of ``rules/industries.yaml``), which selects its industry evaluation
model: one subject at a time (``set_industry``) or many by a rule (``assign_industries_bulk``, one set-based
UPDATE per rule and one audit event for the whole assignment). The only writers of ``subject.industry``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, update

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.subjects.industries import check_industry, load_industries
from xinyong.subjects.models import SUBJECT_KINDS, Subject

ENTERPRISE_KINDS: tuple[str, ...] = ("legal_person", "unincorporated_org", "individual_business")
PERMILLE = 1000
SAMPLE_MULTIPLIER = 7919  # a prime: (id × 7919 + seed) mod 1000 spreads consecutive ids over the sample


def valid_industry(key: str) -> str:
    """``key`` stripped, if it is a catalogue industry; ``InvalidInput`` (field ``industry``) naming the known keys."""
    try:
        return check_industry(key.strip())
    except ValueError as exc:
        raise InvalidInput(str(exc), field="industry") from None


def set_industry(ctx: Context, subject_id: int, industry: str | None) -> Subject:
    """Set (or with None clear) a subject's industry; audited with the old and the new value."""
    require(ctx, "subjects.write")
    key = valid_industry(industry) if industry is not None else None
    subject = fetch(ctx.session, Subject, subject_id)
    if subject is None:
        raise NotFound(f"主体 {subject_id} 不存在", field="subject_id")
    if subject.kind == "natural_person" and key is not None:
        raise InvalidInput("自然人不设行业（行业评价模型只评价企业等组织）", field="industry")
    old = subject.industry
    subject.industry = key
    ctx.session.flush()
    audit.record(
        ctx,
        "subject.set_industry",
        "subject",
        subject.id,
        {"old": old, "new": key, "label": load_industries().label(key)},
    )
    return subject


@dataclass(frozen=True)
class IndustryRule:
    """Subjects of ``kinds`` without an industry get ``industry`` when their name holds one of ``name_contains``
    (empty: any name) and, with ``sample_permille``, when ``(id × 7919 + seed) mod 1000 < sample_permille``
    (a deterministic share of them)."""

    industry: str
    name_contains: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ENTERPRISE_KINDS
    sample_permille: int | None = None
    seed: int = 0

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions on ``Subject`` selecting the subjects this rule assigns."""
        found: list[ColumnElement[bool]] = [Subject.industry.is_(None), Subject.kind.in_(self.kinds)]
        if self.name_contains:
            found.append(or_(*(Subject.name.contains(word, autoescape=True) for word in self.name_contains)))
        if self.sample_permille is not None:
            found.append((Subject.id * SAMPLE_MULTIPLIER + self.seed) % PERMILLE < self.sample_permille)
        return found

    def describe(self) -> dict[str, object]:
        """The rule as audit details."""
        return {
            "industry": self.industry,
            "name_contains": list(self.name_contains),
            "kinds": list(self.kinds),
            "sample_permille": self.sample_permille,
            "seed": self.seed,
        }


def _check_rule(rule: IndustryRule) -> None:
    valid_industry(rule.industry)
    unknown = [k for k in rule.kinds if k not in SUBJECT_KINDS or k == "natural_person"]
    if unknown or not rule.kinds:
        raise InvalidInput(f"规则的主体类别无效：{unknown or '未填写'}", field="kinds")
    if rule.sample_permille is not None and not 0 <= rule.sample_permille <= PERMILLE:
        raise InvalidInput("抽样千分比应在 0 到 1000 之间", field="sample_permille")
    if not rule.name_contains and rule.sample_permille is None:
        raise InvalidInput("规则须指定名称关键词或抽样千分比（不能把全部主体归入一个行业）", field="name_contains")


def assign_industries_bulk(ctx: Context, rules: Sequence[IndustryRule]) -> dict[str, int]:
    """Apply ``rules`` in order, each one set-based UPDATE over the subjects that have no industry yet (a subject
    keeps the first rule that matches it and any industry set before); one audit event lists the rules and the
    counts. Returns industry → subjects assigned. Every rule is checked before anything is written."""
    require(ctx, "subjects.write")
    if not rules:
        raise InvalidInput("未提供行业归类规则", field="rules")
    for rule in rules:
        _check_rule(rule)
    counts: dict[str, int] = {}
    for rule in rules:
        result = ctx.session.execute(
            update(Subject).where(*rule.conditions()).values(industry=rule.industry),
            execution_options={"synchronize_session": False},
        )
        counts[rule.industry] = counts.get(rule.industry, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]
    ctx.session.expire_all()
    audit.record(
        ctx,
        "subject.assign_industries",
        "registry",
        "industry",
        {"rules": [r.describe() for r in rules], "assigned": counts},
    )
    return counts
