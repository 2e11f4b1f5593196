"""Catalogue sharing levels (公开 / 有条件共享 / 不予共享), enforced in this one module.

Issue #3 item 5: catalogue fields carry a sharing level that the API and the pages enforce; design principle 6
(privacy by default): the public sees only what the catalogue marks public, with personal identifiers masked;
everything else needs a role and leaves an audit event.

- ``levels_for`` says which levels a reader gets for a record of a given department: the public (and banks,
  subjects reading others, auditors) ``public`` only; holders of ``records.read`` (department staff,
  regulators, the credit office) also ``conditional``; ``records.read_restricted`` for the record's own
  department (``require_department``: a department officer of that department) and the credit office also
  ``restricted``.
- ``record_fields`` turns a stored record into the fields those levels allow, personal data masked according
  to the catalogue's ``personal`` marker.
- ``read_fields`` is what a non-public read calls: levels, fields and the audit read event in one step.
"""

from __future__ import annotations

from collections.abc import Iterable

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require, require_department
from xinyong.catalog.items import SHARING_LABELS, DataItem, FieldSpec
from xinyong.records.models import CreditRecord
from xinyong.records.schemas import FieldValue

READ_PUBLIC = "records.read_public"
READ = "records.read"
READ_RESTRICTED = "records.read_restricted"
READ_PII = "subjects.read_pii"

PUBLIC_LEVELS: frozenset[str] = frozenset({"public"})
SHARED_LEVELS: frozenset[str] = frozenset({"public", "conditional"})
ALL_LEVELS: frozenset[str] = frozenset(SHARING_LABELS)
LEVEL_ORDER = tuple(SHARING_LABELS)  # public, conditional, restricted
NATURAL_PERSON = "natural_person"


def _holds(ctx: Context, permission: str) -> bool:
    """Whether ``require`` would let the context through (role and, for a token, its scopes)."""
    try:
        require(ctx, permission)
    except PermissionDenied:
        return False
    return True


def levels_for(ctx: Context, record_department_id: int) -> frozenset[str]:
    """The sharing levels ``ctx`` may read on a record reported by department ``record_department_id``."""
    if not _holds(ctx, READ):
        return PUBLIC_LEVELS
    try:
        require_department(ctx, record_department_id, READ_RESTRICTED)
    except PermissionDenied:
        return SHARED_LEVELS
    return ALL_LEVELS


def ordered(levels: Iterable[str]) -> list[str]:
    """Levels in catalogue order (公开, 有条件共享, 不予共享)."""
    chosen = set(levels)
    return [level for level in LEVEL_ORDER if level in chosen]


def display_name(record: CreditRecord, *, unmask_personal: bool) -> str:
    """The subject's name at the top of a record: a natural person's is masked (``张**``) unless unmasked."""
    if record.subject_kind == NATURAL_PERSON and not unmask_personal:
        return pii.mask_name(record.subject_name)
    return record.subject_name


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def field_value(
    spec: FieldSpec, record: CreditRecord, *, unmask_personal: bool, reveal_identifiers: bool = False
) -> str | None:
    """The value of one field as a reader sees it.

    ``personal: name`` is masked with ``mask_name`` only when the subject is a natural person, unless
    ``unmask_personal``; ``personal: id_number`` is never stored in ``data``: it is ``record.id_masked``, or the
    decrypted ``id_cipher`` when ``reveal_identifiers`` (the caller has checked ``subjects.read_pii`` and
    audits the read); ``personal: phone`` is masked with ``mask_phone`` unless ``reveal_identifiers``.
    """
    raw = _text((record.data or {}).get(spec.key))
    if raw is not None and pii.is_sealed(raw):
        # Sealed at intake (phone numbers, other ID numbers): shown in clear only to a PII reader, else masked.
        plain = pii.unseal(raw)
        if reveal_identifiers:
            return plain
        return pii.mask_id(plain) if spec.personal == "id_number" else pii.mask_phone(plain)
    if spec.personal == "id_number":
        if reveal_identifiers and record.id_cipher:
            return pii.decrypt(record.id_cipher)
        if record.id_masked:
            return record.id_masked
        # Defensive: an ID number that reached ``data`` is still never shown in clear.
        return pii.mask_id(raw) if raw else None
    if raw is None:
        return None
    if spec.personal == "name" and record.subject_kind == NATURAL_PERSON and not unmask_personal:
        return pii.mask_name(raw)
    if spec.personal == "phone" and not reveal_identifiers:
        return pii.mask_phone(raw)
    return raw


def record_fields(
    item: DataItem,
    record: CreditRecord,
    levels: frozenset[str],
    *,
    unmask_personal: bool,
    reveal_identifiers: bool = False,
) -> list[FieldValue]:
    """The fields of ``item`` whose sharing level is in ``levels``, in catalogue order, personal data masked
    (see ``field_value``). Keys stored in ``data`` that the catalogue does not list are never returned."""
    return [
        FieldValue(
            key=spec.key,
            label=spec.label,
            value=field_value(spec, record, unmask_personal=unmask_personal, reveal_identifiers=reveal_identifiers),
            sharing=spec.sharing,
        )
        for spec in item.visible_fields(levels)
    ]


def read_fields(
    ctx: Context, item: DataItem, record: CreditRecord, *, reveal_identifiers: bool = False
) -> tuple[frozenset[str], list[FieldValue]]:
    """A reader's view of one record: the levels they get, the fields, and, when anything beyond 公开 is
    returned (or identifiers are revealed), one audit read event ``read.credit_record`` naming the fields.

    ``reveal_identifiers`` needs ``subjects.read_pii`` (``PermissionDenied`` otherwise). Natural persons'
    names are shown in clear to readers holding ``records.read`` and masked for everyone else.
    """
    if reveal_identifiers:
        require(ctx, READ_PII)
    levels = levels_for(ctx, record.department_id)
    unmask = levels != PUBLIC_LEVELS
    fields = record_fields(item, record, levels, unmask_personal=unmask, reveal_identifiers=reveal_identifiers)
    beyond_public = [f.key for f in fields if f.sharing != "public"]
    if beyond_public or reveal_identifiers or (unmask and record.subject_kind == NATURAL_PERSON):
        audit.record_read(
            ctx,
            "credit_record",
            record.id,
            {
                "item": item.id,
                "department_id": record.department_id,
                "levels": ordered(levels),
                "fields": beyond_public,
                "identifiers_revealed": reveal_identifiers,
            },
        )
    return levels, fields
