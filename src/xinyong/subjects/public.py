"""Public reads shared by the JSON API and the pages: permission check, input parsing, audience filter.

Everything here is read-only and goes through ``xinyong.subjects.queries`` with the PUBLIC audience.
"""

from __future__ import annotations

import re
from typing import Any

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.normalize import normalize_code
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects import queries
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import SearchPage, SubjectOut

PERMISSION = "subjects.search_public"
# Format only (length and character set): a stored code that fails its check digit (错码) must still be
# findable by the code printed on the licence; its problems are shown with the subject.
USCC_FORMAT = re.compile(r"^[0-9A-Z]{18}$")
MAX_OFFSET = 1_000_000


class DuplicateCode(Conflict):
    """A code held by more than one subject (重码); carries the candidates the reader chooses from."""

    code = "duplicate_code"

    def __init__(self, uscc: str, candidates: list[SubjectOut]) -> None:
        super().__init__("该统一社会信用代码存在重码", field="uscc")
        self.uscc = uscc
        self.candidates = candidates

    @property
    def extra(self) -> dict[str, Any]:
        """Body fields besides ``error``/``message``/``field``."""
        return {"uscc": self.uscc, "candidates": [c.model_dump(mode="json") for c in self.candidates]}


def search_public(ctx: Context, q: str, *, offset: int = 0, limit: int | None = None) -> SearchPage:
    """Search as the public: natural persons excluded, personal data masked."""
    require(ctx, PERMISSION)
    if offset > MAX_OFFSET:
        raise InvalidInput(f"分页位置过大（最多 {MAX_OFFSET}）", field="offset")
    return queries.search_subjects(ctx.session, q, offset=offset, limit=limit)


def public_subject(ctx: Context, subject_id: int) -> SubjectOut:
    """One subject as the public sees it; natural persons are not public and read as not found."""
    require(ctx, PERMISSION)
    subject = fetch(ctx.session, Subject, subject_id)
    if subject is None or subject.kind == "natural_person":
        raise NotFound("未找到该信用主体", field="id")
    return queries.to_out(subject)


def parse_uscc(value: str) -> str:
    """Normalise a code typed by a reader and check its format; ``InvalidInput`` (field ``uscc``) if bad."""
    if len(value) > 64:
        raise InvalidInput("统一社会信用代码应为18位，输入过长", field="uscc")
    code = normalize_code(value)
    if not code:
        raise InvalidInput("请输入统一社会信用代码", field="uscc")
    if len(code) != 18:
        raise InvalidInput(f"统一社会信用代码应为18位，实际 {len(code)} 位", field="uscc")
    if not USCC_FORMAT.match(code):
        raise InvalidInput("统一社会信用代码只能由数字和大写英文字母组成", field="uscc")
    if code == PLACEHOLDER:
        raise InvalidInput(f"{PLACEHOLDER} 是无代码个体工商户的占位代码，请按名称查询", field="uscc")
    return code


def subjects_with_code(ctx: Context, value: str) -> list[SubjectOut]:
    """Every public subject holding the code (two or more means 重码); ``InvalidInput`` for a malformed code."""
    require(ctx, PERMISSION)
    code = parse_uscc(value)
    return [queries.to_out(s) for s in queries.subjects_by_uscc(ctx.session, code) if s.kind != "natural_person"]


def subject_by_code(ctx: Context, value: str) -> SubjectOut:
    """The one public subject holding the code: ``NotFound`` if none, ``DuplicateCode`` if several."""
    holders = subjects_with_code(ctx, value)
    if not holders:
        raise NotFound("未找到持有该统一社会信用代码的信用主体", field="uscc")
    if len(holders) > 1:
        raise DuplicateCode(normalize_code(value), holders)
    return holders[0]
