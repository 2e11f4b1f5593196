"""Vertical federated logistic regression: accuracy beside the central model, what crosses between the party
objects (never the platform's features to the bank, never the labels to the platform), the two computation modes
agreeing, the stored and audited run, and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import uscc
from records_factories import make_batch, make_record
from xinyong.auth.audit import AuditEvent
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.privacy import federated
from xinyong.privacy.federated import (
    BANK,
    PLATFORM,
    BankParty,
    Channel,
    PlatformParty,
    central_baseline,
    demo_data,
    run_protocol,
    start_demo_run,
    weighted_product,
)
from xinyong.privacy.federated_registry import REGISTRY_FEATURES, registry_features
from xinyong.privacy.models import FederatedRun
from xinyong.privacy.sandbox_rules import FederatedPolicy, load_rules
from xinyong.subjects.models import Department, Subject

ROWS, FEATURES = 600, 5


def _policy(**update: object) -> FederatedPolicy:
    return load_rules().federated.model_copy(update={"iterations": 15} | update)


@pytest.fixture(scope="module")
def run() -> tuple[federated.ProtocolResult, federated.DemoData, PlatformParty, BankParty, float]:
    policy = _policy()
    data = demo_data(11, ROWS, FEATURES)
    platform = PlatformParty(data.features, data.feature_names, policy)
    bank = BankParty(data.outcomes, 1024, policy)
    result = run_protocol(platform, bank, policy, channel=Channel())
    central = central_baseline(platform, data, bank.alignment_key(), policy)
    return result, data, platform, bank, central


def _numbers(payload: object) -> list[float]:
    if isinstance(payload, bool):
        return [float(payload)]
    if isinstance(payload, int) and payload.bit_length() > 60:
        return []  # a ciphertext modulo n²: no feature value is an integer of this size
    if isinstance(payload, int | float):
        return [float(payload)]
    if isinstance(payload, list | tuple):
        return [v for item in payload for v in _numbers(item)]
    return []


def test_accuracy_is_within_tolerance_of_the_central_model(run: tuple) -> None:  # type: ignore[type-arg]
    result, _data, _, _, central = run
    assert result.aligned == ROWS  # the bank's 5 % customers unknown to the platform are not aligned
    assert result.test_rows > 50 and result.train_rows + result.test_rows == ROWS
    assert abs(result.accuracy - central) <= load_rules().federated.tolerance
    assert result.accuracy > 0.7  # better than always answering "no default" (about 0.75 here) minus noise


def test_the_bank_never_receives_the_platforms_features_in_clear(run: tuple) -> None:  # type: ignore[type-arg]
    result, data, platform, bank, _ = run
    to_bank = [m for m in result.channel.log if m.receiver == BANK]
    assert {m.kind for m in to_bank} == {"common_ids", "masked_gradient", "test_predictions"}
    feature_values = {round(v, 6) for row in data.features.values() for v in row}
    sent = [v for m in to_bank for v in _numbers(m.payload)]
    assert not feature_values & {round(v, 6) for v in sent}
    n = bank.public_key()
    for m in to_bank:
        if m.kind == "masked_gradient":  # ciphertexts modulo n², one per weight (intercept + features)
            assert len(m.payload) == FEATURES + 1 and all(n < c < n * n for c in m.payload)
        if m.kind == "test_predictions":
            assert set(m.payload) <= {0, 1} and len(m.payload) == result.test_rows
        if m.kind == "common_ids":  # HMAC ids, not codes
            assert all(len(aid) == 64 and aid not in data.features for aid in m.payload)
    # nor is any of the platform's USCCs, names of features or weights sent to the bank
    text = repr([m.payload for m in to_bank])
    assert not any(code in text for code in list(data.features)[:50])
    assert not any(name in text for name in data.feature_names)
    assert not any(f"{w:.6f}" in text for w in platform.weights)


def test_the_platform_never_receives_the_labels_in_clear(run: tuple) -> None:  # type: ignore[type-arg]
    result, _data, _, bank, _ = run
    to_platform = [m for m in result.channel.log if m.receiver == PLATFORM]
    assert {m.kind for m in to_platform} == {
        "alignment_key",
        "alignment_ids",
        "public_key",
        "encrypted_residuals",
        "decrypted_masked_gradient",
        "accuracy",
    }
    residuals = next(m for m in to_platform if m.kind == "encrypted_residuals").payload
    n = bank.public_key()
    assert len(residuals) == result.train_rows and all(n < c < n * n for c in residuals)
    assert len(set(residuals)) == len(residuals)  # randomised: equal labels do not give equal ciphertexts
    # what the bank decrypts for the platform is masked: far larger than any gradient in fixed point
    for m in to_platform:
        if m.kind == "decrypted_masked_gradient":
            assert all(v.bit_length() > 80 for v in m.payload)
    # the only label-derived value in clear is the test accuracy (a single number)
    assert next(m for m in to_platform if m.kind == "accuracy").payload == result.accuracy


def test_parties_hold_only_their_own_tables(run: tuple) -> None:  # type: ignore[type-arg]
    _, data, platform, bank, _ = run
    assert not any(isinstance(v, dict) and v is data.features for v in vars(bank).values())
    assert not any(isinstance(v, dict) and v is data.outcomes for v in vars(platform).values())
    assert not hasattr(platform, "_private") and not hasattr(bank, "_features")


def test_per_iteration_mode_releases_the_same_gradients() -> None:
    policy = _policy(iterations=3, min_rows=50)
    data = demo_data(5, 120, 3)
    results = []
    for mode in ("aggregate", "per_iteration"):
        platform = PlatformParty(data.features, data.feature_names, policy)
        bank = BankParty(data.outcomes, 1024, policy)
        # same key, hence same split and order, for both modes
        bank._key = b"k" * 32
        results.append(run_protocol(platform, bank, policy, mode=mode).weights)  # type: ignore[arg-type]
    assert results[0] == results[1]


def test_weighted_product_is_the_encrypted_dot_product() -> None:
    from phe import paillier

    public, private = paillier.generate_paillier_keypair(n_length=1024)
    values, weights = [5, -3, 7, 0, 11], [2, -4, 0, 3, 2]
    cipher = [public.raw_encrypt(v % public.n) for v in values]
    product = weighted_product(cipher, weights, public.nsquare)
    plain = private.raw_decrypt(int(product))
    assert (plain - public.n if plain > public.n // 2 else plain) == sum(
        v * w for v, w in zip(values, weights, strict=True)
    )


def test_a_run_is_stored_and_audited(db: Session) -> None:
    ctx = Context(session=db, actor="office-1", role="credit_office_staff")
    outcome = start_demo_run(ctx, rows=400, features=4, key_bits=1024, seed=3, policy=_policy())
    run = db.scalars(select(FederatedRun)).one()
    assert run is outcome.run and run.status == "within_tolerance" and run.rows == 400
    assert run.institution == "示范银行" and run.key_bits == 1024 and len(run.features) == 4
    assert abs(run.accuracy - run.central_accuracy) <= run.tolerance and run.detail["seed"] == 3
    assert run.detail["exchanged"]["bank→platform"]["kinds"][0] == "alignment_key"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "federated.run")).one()
    assert event.target_id == str(run.id) and event.outcome == "within_tolerance"


def test_a_bank_runs_under_its_own_institution(db: Session) -> None:
    ctx = Context(session=db, actor="bank-1", role="bank", institution="番禺农商银行")
    assert start_demo_run(ctx, rows=300, features=3, key_bits=1024, seed=1, policy=_policy()).run.institution == (
        "番禺农商银行"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key_bits": 512}, "密钥长度"),
        ({"rows": 10}, "样本数"),
        ({"features": 0}, "特征数"),
        ({"rows": 5000, "limit_rows": 1000}, "样本数"),
    ],
)
def test_bad_parameters_are_refused(db: Session, kwargs: dict[str, int], message: str) -> None:
    ctx = Context(session=db, actor="office-1", role="credit_office_staff")
    with pytest.raises(InvalidInput, match=message):
        start_demo_run(ctx, **({"rows": 300, "features": 3, "key_bits": 1024} | kwargs))  # type: ignore[arg-type]


def test_too_few_common_customers_is_refused() -> None:
    policy = _policy(min_rows=200)
    data = demo_data(2, 100, 3)
    with pytest.raises(InvalidInput, match="共同客户不足"):
        run_protocol(
            PlatformParty(data.features, data.feature_names, policy), BankParty(data.outcomes, 1024, policy), policy
        )


def test_only_the_office_and_banks_run(db: Session) -> None:
    for role in ("department_officer", "subject", "regulator", "auditor"):
        with pytest.raises(PermissionDenied):
            start_demo_run(Context(session=db, actor="x", role=role), rows=300, features=3, key_bits=1024)


def test_a_run_on_the_registrys_features(db: Session, departments: tuple[Department, Department]) -> None:
    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    subjects = [
        Subject(
            kind="legal_person",
            name=f"企业{i}",
            uscc=uscc(i + 1),
            township_code="440113007",
            registered_on=date(2000 + i % 25, 1, 1),
            created_at=at,
        )
        for i in range(260)
    ]
    db.add_all([*subjects, Subject(kind="legal_person", name="无代码", created_at=at)])
    db.flush()
    batch = make_batch(db, departments[0])
    for i, subject in enumerate(subjects[:80]):
        make_record(
            db,
            batch,
            doc_no=f"罚{i}",
            decided_on=date(2025, 5, 1),
            subject=subject,
            row_no=i + 1,
            data={"fine_amount": str(i % 7)},
        )
    ctx = Context(session=db, actor="office-1", role="credit_office_staff")
    codes, table = registry_features(ctx, date(2026, 11, 27), 1000)
    assert len(codes) == 260 and codes[0] == uscc(1)  # the subject without a code is not a row
    assert table[0][:3] == [1.0, 1.0, 0.0] and table[200][:3] == [0.0, 0.0, 0.0] and table[6][2] == 6.0
    outcome = start_demo_run(ctx, rows=1000, key_bits=1024, seed=8, source="registry", policy=_policy())
    run = outcome.run
    assert run.features == REGISTRY_FEATURES and run.rows == 260 and run.detail["source"] == "registry"
    assert abs(run.accuracy - run.central_accuracy) <= run.tolerance


def test_a_registry_run_needs_enough_enterprises(db: Session) -> None:
    ctx = Context(session=db, actor="office-1", role="credit_office_staff")
    with pytest.raises(InvalidInput, match="登记在册的企业不足"):
        start_demo_run(ctx, rows=1000, key_bits=1024, source="registry", policy=_policy())
