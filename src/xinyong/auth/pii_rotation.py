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
from xinyong.catalog.items import load_catalog
from xinyong.records.models import CreditRecord, Objection
from xinyong.subjects.models import Subject

CHUNK = 2000


@dataclass(frozen=True)
class RotationReport:
    """How many values were re-encrypted per table, and the rows no configured key could open."""

    subjects: int
    accounts: int
    bad_subjects: tuple[int, ...] = ()
    bad_accounts: tuple[int, ...] = ()
    records: int = 0  # credit records whose ID number or sealed values were re-encrypted
    bad_records: tuple[int, ...] = ()
    objections: int = 0  # objections whose sealed applicant contact was re-encrypted
    bad_objections: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """Every stored value now uses the current key."""
        return not self.bad_subjects and not self.bad_accounts and not self.bad_records and not self.bad_objections


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


def _rotate_sealed_data(ctx: Context, chunk: int) -> tuple[int, list[int]]:
    """Re-encrypt the sealed values (``pii.seal``) inside ``credit_record.data`` of the catalogue items that
    have such fields (phone numbers, other ID numbers); (records rewritten, record ids that fail)."""
    items = {
        item_id: tuple(
            f.key for f in item.fields if f.personal in ("phone", "id_number") and f.key != item.roles.id_number
        )
        for item_id, item in load_catalog().items.items()
    }
    items = {k: v for k, v in items.items() if v}
    table = CreditRecord.__table__
    statement = update(table).where(table.c.id == bindparam("row_id")).values(data=bindparam("new_data"))
    done, bad, last_id = 0, [], 0
    while items:
        rows = ctx.session.execute(
            select(table.c.id, table.c.item_id, table.c.data)
            .where(table.c.id > last_id, table.c.item_id.in_(list(items)))
            .order_by(table.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        updates = []
        for row_id, item_id, data in rows:
            keys = [k for k in items[item_id] if pii.is_sealed((data or {}).get(k))]
            if not keys:
                continue
            try:
                new = dict(data) | {k: pii.seal(pii.unseal(data[k])) for k in keys}
            except InvalidToken:
                bad.append(row_id)
                continue
            updates.append({"row_id": row_id, "new_data": new})
        if updates:
            ctx.session.execute(statement, updates)
            done += len(updates)
    return done, bad


def _rotate_objection_contacts(ctx: Context, chunk: int) -> tuple[int, list[int]]:
    """Re-seal ``objection.applicant_contact`` (phone or e-mail of the applicant) in id order."""
    session = ctx.session
    table = Objection.__table__
    statement = update(table).where(table.c.id == bindparam("row_id")).values(applicant_contact=bindparam("sealed"))
    done, bad, last_id = 0, [], 0
    while True:
        rows = session.execute(
            select(table.c.id, table.c.applicant_contact)
            .where(table.c.id > last_id, table.c.applicant_contact != "")
            .order_by(table.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return done, bad
        last_id = rows[-1].id
        updates = []
        for row in rows:
            try:
                updates.append({"row_id": row.id, "sealed": pii.seal(pii.unseal(row.applicant_contact))})
            except InvalidToken:
                bad.append(row.id)
        if updates:
            session.connection().execute(statement, updates)
            done += len(updates)


def rotate_pii(ctx: Context, chunk: int = CHUNK) -> RotationReport:
    """Re-encrypt ``subject.ric_cipher``, ``account.phone_cipher``, ``credit_record.id_cipher``, the sealed
    values inside ``credit_record.data`` and objections' sealed contacts with the current key and recompute
    the lookup hashes, in chunks, inside the caller's transaction. Operator only (role ``system``).

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
    table = CreditRecord.__table__
    records, bad_records = _rotate_column(ctx, table, table.c.id_cipher, table.c.id_hash, chunk)
    sealed, bad_sealed = _rotate_sealed_data(ctx, chunk)
    bad_records = sorted(set(bad_records) | set(bad_sealed))
    objections, bad_objections = _rotate_objection_contacts(ctx, chunk)
    ctx.session.expire_all()  # Core UPDATEs bypassed the identity map
    report = RotationReport(
        subjects,
        accounts,
        tuple(bad_subjects),
        tuple(bad_accounts),
        records + sealed,
        tuple(bad_records),
        objections,
        tuple(bad_objections),
    )
    detail: dict[str, Any] = {
        "subjects": subjects,
        "accounts": accounts,
        "records": records + sealed,
        "objections": objections,
    }
    if not report.ok:
        detail.update(
            bad_subjects=bad_subjects[:50],
            bad_accounts=bad_accounts[:50],
            bad_records=bad_records[:50],
            bad_objections=bad_objections[:50],
        )
    audit.record(ctx, "pii.rotate", "pii", "keys", detail, outcome="ok" if report.ok else "partial")
    return report
