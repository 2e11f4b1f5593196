"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import pytest

from xinyong.auth import passwords
from xinyong.errors import InvalidInput

GOOD = "Hefeng2026qiye"


def test_hash_is_argon2id_with_salt_and_never_the_plaintext() -> None:
    first = passwords.hash_password(GOOD)
    second = passwords.hash_password(GOOD)
    assert first.startswith("$argon2id$")
    assert GOOD not in first
    assert first != second  # random salt
    assert passwords.verify_password(first, GOOD)
    assert passwords.verify_password(second, GOOD)


def test_wrong_password_and_garbage_hash_do_not_verify() -> None:
    hashed = passwords.hash_password(GOOD)
    assert not passwords.verify_password(hashed, GOOD + "x")
    assert not passwords.verify_password(hashed, "")
    assert not passwords.verify_password("not-a-hash", GOOD)
    assert not passwords.verify_password(GOOD, GOOD)  # a plaintext "hash" never matches
    assert not passwords.verify_password(hashed, "\ud800abc")  # unencodable input is a mismatch, not a crash


def test_needs_rehash_for_weaker_parameters() -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(GOOD)
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password(GOOD))
    assert passwords.needs_rehash("garbage")


def test_dummy_hash_matches_nothing() -> None:
    assert passwords.dummy_hash().startswith("$argon2id$")
    assert not passwords.verify_password(passwords.dummy_hash(), "")
    assert not passwords.verify_password(passwords.dummy_hash(), GOOD)


@pytest.mark.parametrize(
    ("password", "username", "reason"),
    [
        ("Ab3defg", "", "至少 10 个字符"),
        ("abcdefghijkl", "", "字母和数字"),
        ("123456789012", "", "字母和数字"),
        ("!!!!!!!!!!!!", "", "字母和数字"),
        ("zhangsan2026", "ZhangSan2026", "与用户名相同"),
        ("Password123", "", "常见"),
        ("woaini1314", "", "常见"),
        ("a1" + "b" * 200, "", "最多 128 个字符"),
        ("abc\x00defg123", "", "无效字符"),
    ],
)
def test_policy_rejects_with_a_chinese_reason(password: str, username: str, reason: str) -> None:
    problems = passwords.password_problems(password, username)
    assert any(reason in p for p in problems), problems
    with pytest.raises(InvalidInput) as caught:
        passwords.check_password(password, username)
    assert caught.value.message.startswith("密码不符合要求：")
    assert reason in caught.value.message
    assert caught.value.field == "password"


@pytest.mark.parametrize("password", [GOOD, "信用番禺2026年度", "x9" * 5, "Correct horse 7 battery"])
def test_policy_accepts_long_mixed_passwords(password: str) -> None:
    assert passwords.password_problems(password, "chen") == []
    passwords.check_password(password, "chen")


def test_several_problems_are_all_reported() -> None:
    problems = passwords.password_problems("abc", "abc")
    assert len(problems) == 3  # too short, no digit, equals the username
