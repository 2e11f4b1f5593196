"""Registry reads for staff: natural persons included, and audited access to a natural person's ID number.

Both reads check permission and append one audit event; the web router (``web/api/staff.py``) only parses,
calls and returns.
"""

from __future__ import annotations

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput, NotFound
from xinyong.subjects import queries
from xinyong.subjects.public import MAX_OFFSET
from xinyong.subjects.schemas import IdentityOut, SearchPage

READ = "subjects.read"
READ_PII = "subjects.read_pii"
# Staff see natural persons too, ID numbers masked; the full number needs READ_PII and is audited.
STAFF = queries.Audience(include_natural_persons=True)


def audit_query(q: str) -> str:
    """The query as kept in the audit log: a code-like query may be an ID number, so it is masked."""
    code = q.strip().upper()
    return pii.mask_id(code) if queries.CODE_QUERY.match(code) and len(code) >= 15 else q[: queries.MAX_QUERY]


def staff_search(ctx: Context, q: str, *, offset: int = 0, limit: int | None = None) -> SearchPage:
    """Search the whole registry as staff: natural persons included, ID numbers masked. Audited."""
    require(ctx, READ)
    if offset > MAX_OFFSET:
        raise InvalidInput(f"分页位置过大（最多 {MAX_OFFSET}）", field="offset")
    page = queries.search_subjects(ctx.session, q, offset=offset, limit=limit, audience=STAFF)
    audit.record(
        ctx, "subjects.staff_search", "subject", "*", {"q": audit_query(q), "offset": offset, "total": page.total}
    )
    return page


def read_identity(ctx: Context, subject_id: int) -> IdentityOut:
    """Decrypt a natural person's ID number for an authorised reader; the read is audited (never the number)."""
    require(ctx, READ_PII)
    subject = queries.subject_or_404(ctx.session, subject_id)
    if not subject.ric_cipher:
        raise NotFound("该主体没有登记公民身份号码", field="subject_id")
    ric = pii.decrypt(subject.ric_cipher)
    audit.record(ctx, "subjects.read_pii", "subject", subject.id, {"field": "ric"})
    return IdentityOut(subject_id=subject.id, name=subject.name, ric=ric)
