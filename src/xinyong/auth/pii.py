"""Personal identifiers at rest: Fernet encryption, keyed-hash lookup, masking for display.

Keys come from settings (``XINYONG_PII_KEY``, ``XINYONG_PII_HASH_KEY``). In development, when
``XINYONG_DEV_KEYS`` is true and no key is set, throw-away keys are derived from a fixed label so the
demo works out of the box; production sets ``XINYONG_DEV_KEYS=false`` and real keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet

from xinyong.settings import get_settings


class KeyConfigError(RuntimeError):
    """PII keys are missing or malformed."""


@lru_cache
def _keys() -> tuple[Fernet, bytes]:
    s = get_settings()
    enc, mac = s.pii_key, s.pii_hash_key
    if not enc or not mac:
        if not s.dev_keys:
            raise KeyConfigError("未配置 XINYONG_PII_KEY / XINYONG_PII_HASH_KEY (PII keys not set)")
        enc = enc or base64.urlsafe_b64encode(hashlib.sha256(b"xinyong-dev-pii-key").digest()).decode()
        mac = mac or "xinyong-dev-pii-hash-key"
    try:
        fernet = Fernet(enc.encode())
    except ValueError as exc:
        raise KeyConfigError("XINYONG_PII_KEY 不是有效的 Fernet 密钥 (invalid Fernet key)") from exc
    return fernet, mac.encode()


def encrypt(value: str) -> str:
    """Encrypt a personal identifier for storage."""
    return _keys()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored personal identifier."""
    return _keys()[0].decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised identifier, for equality search without decrypting."""
    return hmac.new(_keys()[1], value.encode(), hashlib.sha256).hexdigest()


def mask_id(value: str, keep_head: int = 4, keep_tail: int = 4) -> str:
    """Mask an ID number for display, e.g. ``4401**********001X``."""
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[-keep_tail:]


def mask_name(name: str) -> str:
    """Mask a natural person's name for the public: keep the surname, e.g. ``张**``."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def reset_keys() -> None:
    """Forget cached keys (after settings change)."""
    _keys.cache_clear()
