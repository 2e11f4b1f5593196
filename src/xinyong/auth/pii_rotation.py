"""Re-encrypt every stored personal identifier under the current PII key (and re-hash it), after a rotation.

Procedure (docs/threat-model.md): set the new key as ``XINYONG_PII_KEY``, list the old one in
``XINYONG_PII_OLD_KEYS``, run this action, then drop the old key. Because the lookup hash is recomputed
from the decrypted value too, the same run also moves to a new ``XINYONG_PII_HASH_KEY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import ColumnElement, Table, bindparam, select, update

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.models import Account
from xinyong.auth.permissions import PermissionDenied
from xinyong.subjects.models import Subject

CHUNK = 2000


@dataclass(frozen=True)
class RotationReport:
    """How many values were re-encrypted per table, and the rows no configured key could open."""

    subjects: int
    accounts: int
    bad_subjects: tuple[int, ...] = ()
    bad_accounts: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """Every stored value now uses the current key."""
        return not self.bad_subjects and not self.bad_accounts


def _rotate_column(
    ctx: Context, table: Table, cipher: ColumnElement[Any], digest: ColumnElement[Any], chunk: int
) -> tuple[int, list[int]]:
    """Re-encrypt and re-hash ``cipher`` in id order, ``chunk`` rows at a time; (rows done, ids that fail)."""
    session = ctx.session
    done = 0
    bad: list[int] = []
    last_id = 0
    id_col = table.c.id
    statement = (
        update(table)
        .where(id_col == bindparam("row_id"))
        .values({cipher.key: bindparam("new_cipher"), digest.key: bindparam("new_hash")})
    )
    while True:
        rows = session.execute(
            select(id_col, cipher).where(id_col > last_id, cipher.is_not(None)).order_by(id_col).limit(chunk)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        updates = []
        for row_id, token in rows:
            try:
                plain = pii.decrypt(token)
            except InvalidToken:
                bad.append(row_id)
                continue
            updates.append({"row_id": row_id, "new_cipher": pii.encrypt(plain), "new_hash": pii.lookup_hash(plain)})
        if updates:
            session.execute(statement, updates)
            done += len(updates)
    return done, bad


def rotate_pii(ctx: Context, chunk: int = CHUNK) -> RotationReport:
    """Re-encrypt ``subject.ric_cipher`` and ``account.phone_cipher`` with the current key and recompute their
    lookup hashes, in chunks, inside the caller's transaction. Operator only (role ``system``).

    A value that opens with none of the configured keys is left as it is and reported (``bad_*``; the
    audit event's outcome is ``partial``): add the missing old key to ``XINYONG_PII_OLD_KEYS`` and run
    again (re-running is harmless).
    """
    if ctx.role != "system":
        raise PermissionDenied(ctx.role, "system", "只有系统操作员（命令行）可以轮换个人信息密钥")
    table = Subject.__table__
    subjects, bad_subjects = _rotate_column(ctx, table, table.c.ric_cipher, table.c.ric_hash, chunk)
    table = Account.__table__
    accounts, bad_accounts = _rotate_column(ctx, table, table.c.phone_cipher, table.c.phone_hash, chunk)
    ctx.session.expire_all()  # Core UPDATEs bypassed the identity map
    report = RotationReport(subjects, accounts, tuple(bad_subjects), tuple(bad_accounts))
    detail: dict[str, Any] = {"subjects": subjects, "accounts": accounts}
    if not report.ok:
        detail.update(bad_subjects=bad_subjects[:50], bad_accounts=bad_accounts[:50])
    audit.record(ctx, "pii.rotate", "pii", "keys", detail, outcome="ok" if report.ok else "partial")
    return report
