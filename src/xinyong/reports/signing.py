"""Ed25519 signing of reports (``cryptography``).

The private key is a PEM file (setting ``report_key_file``, default ``var/keys/report-ed25519.pem``) created with
mode 0600 on first use (written to a temporary file and linked into place, so two processes starting together
end up with the same key). It never enters the database. Its public half is registered in ``report_signing_key``
under ``key_id`` = the first 16 hex digits of the SHA-256 of the raw 32-byte public key; every report stores the
``key_id`` it was signed with, so ``rotate_key`` (a new key, the old one marked retired but kept) leaves every
earlier report verifiable.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.errors import Conflict
from xinyong.reports.config import report_settings
from xinyong.reports.models import ReportSigningKey

ISSUE = "reports.issue"


@dataclass(frozen=True)
class Signer:
    """The current private key with its public half and id."""

    key: Ed25519PrivateKey
    public_raw: bytes
    key_id: str

    def sign(self, payload: bytes) -> str:
        """Base64 Ed25519 signature of ``payload``."""
        return base64.b64encode(self.key.sign(payload)).decode("ascii")


def key_id_of(public_raw: bytes) -> str:
    """First 16 hex digits of the SHA-256 of a raw public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, key: Ed25519PrivateKey) -> Path:
    """A new 0600 file beside ``path`` holding ``key`` (the caller links or renames it into place)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(_pem(key))
        out.flush()
        os.fsync(out.fileno())
    return temporary


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise Conflict(f"报告签名密钥文件 {path} 无法读取：{exc}", field="report_key_file") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise Conflict(f"报告签名密钥文件 {path} 不是 Ed25519 私钥", field="report_key_file")
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # a copied key file keeps no group or world access
    return key


def load_or_create_key(path: Path | None = None) -> Ed25519PrivateKey:
    """The private key at ``path`` (default: the setting), created on first use."""
    path = path or report_settings().report_key_file
    if not path.exists():
        temporary = _write_private(path, Ed25519PrivateKey.generate())
        try:
            os.link(temporary, path)  # atomic create-if-absent: a concurrent first use keeps the winner's key
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    return _read_private(path)


def register(session: Session, public_raw: bytes) -> ReportSigningKey:
    """The registry row of a public key, inserted when missing."""
    key_id = key_id_of(public_raw)
    row = session.get(ReportSigningKey, key_id)
    if row is not None:
        return row
    row = ReportSigningKey(
        key_id=key_id, public_key=base64.b64encode(public_raw).decode("ascii"), created_at=clock.now(), retired_at=None
    )
    savepoint = session.begin_nested()
    try:
        session.add(row)
        session.flush()
    except IntegrityError:  # registered concurrently by another process
        savepoint.rollback()
        found = session.get(ReportSigningKey, key_id)
        assert found is not None
        return found
    savepoint.commit()
    return row


def current_signer(session: Session) -> Signer:
    """The key that signs new reports, registered; ``Conflict`` when its registration is marked retired (the key
    file was restored after a rotation)."""
    key = load_or_create_key()
    public_raw = _raw_public(key)
    row = register(session, public_raw)
    if row.retired_at is not None:
        raise Conflict(
            f"报告签名密钥 {row.key_id} 已于轮换时停用，但密钥文件仍是该密钥：请执行 xinyong reports rotate-key",
            field="report_key_file",
        )
    return Signer(key=key, public_raw=public_raw, key_id=row.key_id)


def verify_signature(session: Session, key_id: str, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is a valid signature of ``payload`` by the registered key ``key_id``."""
    row = session.get(ReportSigningKey, key_id)
    if row is None:
        return False
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(row.public_key, validate=True))
        public.verify(base64.b64decode(signature, validate=True), payload)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def signature_bytes(signature: str) -> bytes:
    """The raw bytes of a stored base64 signature (empty when it is not valid base64)."""
    with contextlib.suppress(ValueError, binascii.Error):
        return base64.b64decode(signature, validate=True)
    return b""


def rotate_key(ctx: Context) -> tuple[str | None, str]:
    """Replace the signing key (the operator at the console only): the old key's registration is marked retired
    and kept, so reports it signed still verify; the new key signs from now on. Returns (old key id, new key id)."""
    require(ctx, ISSUE)
    if ctx.role != "system":
        raise PermissionDenied(ctx.role, ISSUE, "只能在服务器控制台轮换报告签名密钥")
    path = report_settings().report_key_file
    session = ctx.session
    old_id: str | None = None
    if path.exists():
        old = register(session, _raw_public(_read_private(path)))
        old.retired_at = ctx.at
        old_id = old.key_id
    new_key = Ed25519PrivateKey.generate()
    new_row = register(session, _raw_public(new_key))
    session.flush()
    temporary = _write_private(path, new_key)
    os.replace(temporary, path)
    audit.record(ctx, "reports.rotate_key", "report_signing_key", new_row.key_id, {"retired": old_id})
    return old_id, new_row.key_id
