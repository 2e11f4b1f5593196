"""Personal identifiers at rest: Fernet encryption with key rotation, keyed-hash lookup, masking for display.

Keys come from settings (``XINYONG_PII_KEY``, ``XINYONG_PII_HASH_KEY``). In development, when
``XINYONG_DEV_KEYS`` is true and no key is set, throw-away keys are derived from a fixed label so the
demo works out of the box; production sets ``XINYONG_DEV_KEYS=false`` and real keys.

Rotation: put the new key in ``XINYONG_PII_KEY`` and the old one(s) in ``XINYONG_PII_OLD_KEYS``
(comma-separated). ``MultiFernet`` encrypts with the current key and decrypts with any of them, so the
platform keeps working while ``xinyong.auth.pii_rotation.rotate_pii`` re-encrypts the stored values; then
the old keys can be removed (docs/threat-model.md, "Key management").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet

from xinyong.errors import InvalidInput
from xinyong.settings import get_settings

DEV_PII_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"xinyong-dev-pii-key").digest()).decode()
DEV_PII_HASH_KEY = "xinyong-dev-pii-hash-key"

_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_NOISE = re.compile(r"[\s\-()（）.]")


class KeyConfigError(RuntimeError):
    """PII keys are missing or malformed."""


def _fernet(key: str, name: str) -> Fernet:
    try:
        return Fernet(key.strip().encode())
    except ValueError as exc:  # never echo the key itself
        raise KeyConfigError(f"{name} 不是有效的 Fernet 密钥 (invalid Fernet key)") from exc


@lru_cache
def _keys() -> tuple[MultiFernet, bytes]:
    s = get_settings()
    enc, mac = s.pii_key, s.pii_hash_key
    if not enc or not mac:
        if not s.dev_keys:
            raise KeyConfigError("未配置 XINYONG_PII_KEY / XINYONG_PII_HASH_KEY (PII keys not set)")
        enc = enc or DEV_PII_KEY
        mac = mac or DEV_PII_HASH_KEY
    old = [k for k in (part.strip() for part in s.pii_old_keys.split(",")) if k]
    fernets = [_fernet(enc, "XINYONG_PII_KEY")]
    fernets += [_fernet(k, f"XINYONG_PII_OLD_KEYS 第 {i} 个") for i, k in enumerate(old, start=1)]
    return MultiFernet(fernets), mac.encode()


def encrypt(value: str) -> str:
    """Encrypt a personal identifier for storage (always with the current key)."""
    return _keys()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored personal identifier (current or any retired key)."""
    return _keys()[0].decrypt(token.encode()).decode()


def rotate_token(token: str) -> str:
    """Re-encrypt a stored ciphertext under the current key (raises ``InvalidToken`` if no key opens it)."""
    return _keys()[0].rotate(token.encode()).decode()


# A personal value kept inside a JSON document (``credit_record.data``) is stored sealed: this prefix plus its
# Fernet token, so readers, masking and key rotation recognise it without a schema of their own.
SEALED_PREFIX = "pii:"


def seal(value: str) -> str:
    """``value`` encrypted for storage inside a JSON document (see ``SEALED_PREFIX``)."""
    return SEALED_PREFIX + encrypt(value)


def is_sealed(value: object) -> bool:
    """Whether a stored JSON value is a sealed personal value."""
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def unseal(value: str) -> str:
    """The clear value of a sealed one (``InvalidToken`` if no configured key opens it)."""
    return decrypt(value.removeprefix(SEALED_PREFIX))


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


def mask_phone(value: str) -> str:
    """Mask a phone number for display, e.g. ``138****1234`` (first 3 and last 4 digits kept)."""
    return mask_id(value, keep_head=3, keep_tail=4)


def normalize_phone(value: str) -> str:
    """The 11-digit mainland mobile number in ``value``, e.g. ``+86 138-1234-5678`` → ``13812345678``.

    Full-width digits, spaces, dashes, dots, brackets and a ``+86`` / ``0086`` / ``86`` prefix are accepted.
    Raises ``InvalidInput`` (field ``phone``) for anything that is not a mobile number. Encrypt and hash
    the normalised value, so look-ups and key rotation agree.
    """
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    if not _MOBILE.fullmatch(text):
        raise InvalidInput("手机号码格式不正确，应为11位手机号", field="phone")
    return text


def reset_keys() -> None:
    """Forget cached keys (after settings change)."""
    _keys.cache_clear()
