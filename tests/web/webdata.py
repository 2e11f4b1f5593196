"""Test data for the web tests: codes, names and the ``Registry`` of subjects (fixtures in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.auth.context import Context
from xinyong.codes.uscc import make_uscc
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

HEFENG = "广州禾丰食品有限公司"
HEFENG_USCC = make_uscc("9", "1", "440113", "MA59HF01")
SHOP_USCC = make_uscc("9", "2", "440113", "L1234567")
DUP_USCC = make_uscc("9", "1", "440113", "MA5DUP01")


@dataclass(frozen=True)
class Registry:
    """The subjects registered for a web test."""

    hefeng: Subject
    shop: Subject
    person: Subject
    dup_a: Subject
    dup_b: Subject


def register(ctx: Context, **fields: object) -> Subject:
    """Register one subject through the service layer."""
    allow_duplicate = bool(fields.pop("allow_duplicate", False))
    return register_subject(ctx, SubjectIn.model_validate(fields), allow_duplicate=allow_duplicate)


def register_hefeng(ctx: Context) -> Subject:
    """广州禾丰食品有限公司, the company most web tests look for (市桥街道, registered 2015-03-18)."""
    return register(
        ctx,
        kind="legal_person",
        name=HEFENG,
        uscc=HEFENG_USCC,
        legal_representative="陈国强",
        township_code="440113007",
        registered_on=date(2015, 3, 18),
    )
