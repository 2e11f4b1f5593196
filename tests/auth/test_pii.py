"""Personal data: encryption with key rotation (MultiFernet), keyed-hash lookup, masking, phone normalisation,
and the log filter that keeps identifiers out of log output."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken

from xinyong.auth import pii
from xinyong.errors import InvalidInput
from xinyong.logging_filters import PiiLogFilter, install_pii_log_filter, uninstall_pii_log_filter

RIC = "11010519491231002X"
PHONE = "13812345678"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
KEY_C = Fernet.generate_key().decode()


def test_round_trip_and_no_plaintext(pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_A)
    token = pii.encrypt(RIC)
    assert RIC not in token and pii.decrypt(token) == RIC
    assert pii.encrypt(RIC) != token  # random IV: equal values do not look equal at rest


def test_old_key_still_decrypts_after_rotation(pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_A)
    old_token = pii.encrypt(RIC)
    pii_keys(KEY_B, old=KEY_A)
    assert pii.decrypt(old_token) == RIC
    new_token = pii.encrypt(PHONE)
    assert Fernet(KEY_B.encode()).decrypt(new_token.encode()).decode() == PHONE  # new data: current key
    rotated = pii.rotate_token(old_token)
    pii_keys(KEY_B)  # old key retired
    assert pii.decrypt(rotated) == RIC
    with pytest.raises(InvalidToken):
        pii.decrypt(old_token)


def test_several_old_keys(pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_A)
    token_a = pii.encrypt("a")
    pii_keys(KEY_B, old=KEY_A)
    token_b = pii.encrypt("b")
    pii_keys(KEY_C, old=f" {KEY_B} , {KEY_A} ,")
    assert pii.decrypt(token_a) == "a" and pii.decrypt(token_b) == "b"


def test_unknown_key_cannot_rotate(pii_keys) -> None:  # type: ignore[no-untyped-def]
    stranger = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    pii_keys(KEY_A)
    with pytest.raises(InvalidToken):
        pii.rotate_token(stranger)


def test_bad_keys_are_refused_without_echoing_them(pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys("not-a-fernet-key")
    with pytest.raises(pii.KeyConfigError) as current:
        pii.encrypt("x")
    assert "XINYONG_PII_KEY" in str(current.value) and "not-a-fernet-key" not in str(current.value)
    pii_keys(KEY_A, old=f"{KEY_B},secret-but-broken")
    with pytest.raises(pii.KeyConfigError) as old:
        pii.encrypt("x")
    assert "第 2 个" in str(old.value) and "secret-but-broken" not in str(old.value)


def test_missing_keys_refused_unless_dev(pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys("", hash_key="")
    with pytest.raises(pii.KeyConfigError):
        pii.encrypt("x")
    pii_keys("", hash_key="", dev=True)
    assert pii.decrypt(pii.encrypt("x")) == "x"


def test_lookup_hash_is_keyed(pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_A, hash_key="one")
    first = pii.lookup_hash(RIC)
    assert first == pii.lookup_hash(RIC) and len(first) == 64 and RIC not in first
    pii_keys(KEY_B, old=KEY_A, hash_key="one")
    assert pii.lookup_hash(RIC) == first  # rotating the encryption key leaves look-ups alone
    pii_keys(KEY_A, hash_key="two")
    assert pii.lookup_hash(RIC) != first


def test_masks() -> None:
    assert pii.mask_id(RIC) == "1101**********002X"
    assert pii.mask_phone(PHONE) == "138****5678"
    assert pii.mask_phone("0201234") == "*******"
    assert pii.mask_name("王禾丰") == "王**"


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "（138）1234-5678",
        "１３８１２３４５６７８",  # full-width digits
    ],
)
def test_normalize_phone(raw: str) -> None:
    assert pii.normalize_phone(raw) == PHONE


@pytest.mark.parametrize(
    "raw", ["", "12345678901", "1381234567", "138123456789", "020-12345678", "abc", "+1 138 1234 5678"]
)
def test_normalize_phone_refuses(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        pii.normalize_phone(raw)
    assert err.value.field == "phone" and "手机号码" in err.value.message


# --- logs ------------------------------------------------------------------------------------------------


def _record(msg: str, args: object = (), exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"bad ric {RIC}")
        except ValueError as e:
            exc_info = (type(e), e, e.__traceback__)
    return logging.LogRecord("xinyong.test", logging.ERROR, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


def test_log_filter_masks_message_args_and_traceback() -> None:
    record = _record("lookup %s for phone %s (%d tries)", (RIC, PHONE, 3), exc=True)
    assert PiiLogFilter().filter(record) is True
    text = logging.Formatter("%(message)s").format(record)
    assert RIC not in text and PHONE not in text
    assert "1101**********002X" in text and "138****5678" in text and "(3 tries)" in text
    assert isinstance(record.args, tuple) and record.args[2] == 3  # structure kept (uvicorn's access log)


def test_log_filter_masks_dict_args_and_message() -> None:
    record = _record(f"user phone {PHONE}: %(ric)s", ({"ric": RIC},))
    PiiLogFilter().filter(record)
    assert logging.Formatter("%(message)s").format(record) == "user phone 138****5678: 1101**********002X"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_installed_filter_masks_every_logger() -> None:
    """Masked when the record is made, whatever handlers are configured (uvicorn replaces its own)."""
    collect = _Collect()
    loggers = [logging.getLogger(name) for name in ("uvicorn.access", "somewhere.else")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(collect)
        lg.setLevel(logging.INFO)
        lg.propagate = False
    install_pii_log_filter()
    install_pii_log_filter()  # idempotent
    try:
        loggers[0].info('%s - "GET /api/v1/subjects?q=%s HTTP/1.1" %d', "1.2.3.4", PHONE, 200)
        loggers[1].warning("ric=%s", RIC)
    finally:
        uninstall_pii_log_filter()
        for lg, (level, propagate) in zip(loggers, saved, strict=True):
            lg.removeHandler(collect)
            lg.setLevel(level)
            lg.propagate = propagate
    assert collect.lines == ['1.2.3.4 - "GET /api/v1/subjects?q=138****5678 HTTP/1.1" 200', "ric=1101**********002X"]
    assert logging.getLogRecordFactory() is logging.LogRecord
