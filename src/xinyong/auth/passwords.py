"""Password hashing (argon2id through argon2-cffi) and the password policy.

Only the argon2 hash is stored. The policy rejects short, single-class, username-equal and common passwords
with Chinese reasons; ``MAX_LENGTH`` bounds the work an attacker can make the hasher do.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from xinyong.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 128

# Frequent passwords that pass the length and letter+digit rules (leaked-password lists, pinyin favourites).
COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "password1234",
        "passw0rd123",
        "p@ssw0rd123",
        "p@ssword123",
        "abc1234567",
        "abcd123456",
        "abc123456789",
        "a123456789",
        "a1234567890",
        "aa12345678",
        "1234567890a",
        "123456789a",
        "123456789abc",
        "qwerty1234",
        "qwerty123456",
        "qwer123456",
        "qwe1234567",
        "1qaz2wsx3edc",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "zxcvbnm123",
        "asdf123456",
        "admin12345",
        "admin123456",
        "administrator1",
        "root123456",
        "test123456",
        "welcome123",
        "iloveyou123",
        "woaini1314",
        "woaini521",
        "woaini123456",
        "5201314abc",
        "abc5201314",
        "zhang123456",
        "wang1234567",
        "li123456789",
        "xinyong123",
        "xinyong2021",
        "xinyong2026",
        "panyu123456",
        "guangzhou123",
    }
)

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory defaults


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string with salt and parameters) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at the next login)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password matches, verified for unknown users so that both paths take the same time."""
    import secrets

    return _hasher.hash(secrets.token_urlsafe(24))


def password_problems(password: str, username: str = "") -> list[str]:
    """The Chinese reasons ``password`` is unacceptable (empty when it passes the policy)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 个字符")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码最多 {MAX_LENGTH} 个字符")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("密码须同时包含字母和数字")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in password) or "\x00" in password:
        problems.append("密码含有无效字符")
    lowered = password.lower()
    if username and lowered == username.strip().lower():
        problems.append("密码不能与用户名相同")
    if lowered in COMMON_PASSWORDS:
        problems.append("密码过于常见，容易被猜中")
    return problems


def check_password(password: str, username: str = "", *, field: str = "password") -> None:
    """Raise ``InvalidInput`` with every reason when ``password`` fails the policy."""
    problems = password_problems(password, username)
    if problems:
        raise InvalidInput("密码不符合要求：" + "；".join(problems), field=field)
