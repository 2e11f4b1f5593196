"""Report numbers (报告编号) and check codes (校验码).

A number is ``PY-YYYYMMDD-XXXX-XXXX-XXXX``: the issue day in China and 60 random bits in Crockford base32 (no I,
L, O, U), so numbers cannot be guessed or enumerated. The check code is 8 Crockford characters of the SHA-256 of
the report's signature: printed on the report and carried in the QR code, it ties a printed copy to the signed
document. Both are read leniently (lower case, spaces, full-width dashes, I/L for 1 and O for 0) and refused
with a Chinese message naming the expected shape otherwise.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date

from xinyong.errors import InvalidInput

PREFIX = "PY"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
RANDOM_CHARS = 12
CHECK_CHARS = 8
EXAMPLE = "PY-20261127-7K3M-9QXD-T4WA"
_NUMBER = re.compile(rf"^{PREFIX}-([0-9]{{8}})-([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})$")
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", "_": "-"})
MAX_INPUT = 64


def _base32(data: bytes, chars: int) -> str:
    value = int.from_bytes(data, "big")
    out = []
    for _ in range(chars):
        out.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def new_number(day: date) -> str:
    """A fresh random number for a report issued on ``day``."""
    body = _base32(secrets.token_bytes(8), RANDOM_CHARS)
    return f"{PREFIX}-{day:%Y%m%d}-{body[:4]}-{body[4:8]}-{body[8:]}"


def parse_number(raw: str) -> str:
    """The canonical form of a typed report number; ``InvalidInput`` (field ``number``) when malformed."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("请输入报告编号", field="number")
    if len(text) > MAX_INPUT:
        raise InvalidInput(f"报告编号过长：应为 {EXAMPLE} 形式", field="number")
    text = re.sub(r"\s+", "", text.translate(_DASHES)).upper()
    if "-" not in text and len(text) == len(PREFIX) + 8 + RANDOM_CHARS:
        text = f"{text[:2]}-{text[2:10]}-{text[10:14]}-{text[14:18]}-{text[18:]}"
    head, _, tail = text.partition("-")
    day, _, body = tail.partition("-")
    text = f"{head}-{day}-{body.translate(_CONFUSABLE)}" if body else text
    found = _NUMBER.match(text)
    if not found:
        raise InvalidInput(f"报告编号格式不正确：应为 {EXAMPLE} 形式（PY、出具日期、12 位字母数字）", field="number")
    try:
        date(int(found.group(1)[:4]), int(found.group(1)[4:6]), int(found.group(1)[6:]))
    except ValueError:
        raise InvalidInput(f"报告编号中的日期 {found.group(1)} 不存在", field="number") from None
    return text


def check_code(signature: bytes) -> str:
    """The 8-character check code of a report signed with ``signature``."""
    return _base32(hashlib.sha256(signature).digest()[:5], CHECK_CHARS)


def parse_check_code(raw: str | None) -> str | None:
    """The canonical form of a typed check code (None when blank); ``InvalidInput`` (field ``c``) when malformed."""
    text = re.sub(r"[\s\-－]+", "", raw or "").upper().translate(_CONFUSABLE)
    if not text:
        return None
    if len(text) != CHECK_CHARS or any(ch not in ALPHABET for ch in text):
        raise InvalidInput(f"校验码格式不正确：应为报告上印制的 {CHECK_CHARS} 位数字或字母", field="c")
    return text
