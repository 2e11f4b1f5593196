"""Vertical federated logistic regression (联邦学习, issue #10 item 4) between the platform and a bank under Paillier.

The platform (``PlatformParty``) holds credit features per subject; the bank (``BankParty``) holds loan outcomes of
its customers and the Paillier key pair. The two are separate objects that never read each other's attributes:
everything that passes between them goes through a ``Channel`` that logs it (sender, receiver, kind, payload, size),
so tests assert on exactly what crossed. The protocol (docs/privacy-analytics.md states what each side learns):

1. Alignment. The bank draws a fresh alignment key and sends it to the platform; each side sends HMAC-SHA256(key,
   USCC) of its subjects; the platform intersects and returns the common ids. Train/test split by the id's hash.
2. The bank sends its public key and, per common training row, ``[[c_i]]`` with c_i = 0.5 − y_i (fixed point): the
   label-side term of the logistic residual σ(u_i) − y_i = (σ(u_i) − 0.5) + c_i.
3. Per iteration the platform computes u_i = x_i·w on its own features (the bank has no features, so u_i is the
   whole linear predictor and σ(u_i) is computed exactly, in clear, at the platform: no Taylor approximation is
   needed) and the encrypted gradient ``[[g_j]] = Σ_i x_ij · ([[c_i]] ⊕ (σ(u_i) − 0.5))`` (homomorphic;
   ``mode="per_iteration"`` does it row by row, ``mode="aggregate"`` uses linearity: ``Σ_i x_ij [[c_i]]`` is
   computed once and ``Σ_i x_ij·(σ(u_i) − 0.5)`` added as a plaintext each iteration — the same plaintext values),
   adds a random mask r_j (``mask_bits`` longer than any gradient), re-randomises and sends ``[[g_j + r_j]]``.
4. The bank decrypts and returns ``g_j + r_j``; the platform removes r_j and updates its weights.
5. Evaluation: the platform sends its 0/1 predictions for the test rows; the bank answers the accuracy.

Encryption uses the bank's private key only for speed where it is its own data: obfuscators ``h_s^α`` (Damgård–
Jurik–Nielsen short-exponent variant, α of 256 bits) from a fixed-base table, so 100,000 encryptions take seconds
instead of minutes; the platform's aggregation is the bucket method (one modular multiplication per row and
feature). The same model is trained centrally (plain Python; numpy is not in the environment) for comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as time_of_day
from operator import mul
from typing import Any, Literal

import gmpy2
from phe import paillier
from sqlalchemy import func, select

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.uscc import make_uscc
from xinyong.errors import InvalidInput
from xinyong.privacy.models import FederatedRun
from xinyong.privacy.sandbox_rules import FederatedPolicy, load_rules

Mode = Literal["aggregate", "per_iteration"]
Source = Literal["synthetic", "registry"]
PLATFORM, BANK = "platform", "bank"
DEMO_BANK = "示范银行"
FEATURE_CLIP = 8.0  # standardised features are clipped at ±8 before fixed-point encoding

# -------------------------------------------------------------------------------------------- the channel


def _size(payload: Any) -> int:
    if isinstance(payload, bool) or payload is None:
        return 1
    if isinstance(payload, int):
        return max(1, (payload.bit_length() + 7) // 8)
    if isinstance(payload, float):
        return 8
    if isinstance(payload, str | bytes):
        return len(payload)
    if isinstance(payload, list | tuple):
        return sum(_size(p) for p in payload)
    if isinstance(payload, dict):
        return sum(_size(k) + _size(v) for k, v in payload.items())
    raise TypeError(f"cannot send {type(payload).__name__}")


@dataclass
class Message:
    sender: str
    receiver: str
    kind: str
    payload: Any
    nbytes: int


@dataclass
class Channel:
    """Everything that passes between the two parties, logged. Payloads are plain ints, floats, strings and lists:
    no object of one party ever reaches the other."""

    log: list[Message] = field(default_factory=list)
    keep_payloads: bool = True

    def send(self, sender: str, receiver: str, kind: str, payload: Any) -> Any:
        self.log.append(Message(sender, receiver, kind, payload if self.keep_payloads else None, _size(payload)))
        return payload

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for m in self.log:
            key = f"{m.sender}→{m.receiver}"
            entry = out.setdefault(key, {"messages": 0, "bytes": 0, "kinds": []})
            entry["messages"] += 1
            entry["bytes"] += m.nbytes
            if m.kind not in entry["kinds"]:
                entry["kinds"].append(m.kind)
        return out


# -------------------------------------------------------------------------------------------- Paillier helpers


class FixedBaseObfuscator:
    """Random Paillier obfuscators ``h_s^α mod n²`` with α uniform over ``exponent_bits`` bits (DJN variant:
    h_s = (−x²)^n for a random x), from a table of ``h_s^(v·256^k)``: one modular multiplication per byte of α."""

    def __init__(self, n: int, exponent_bits: int = 256) -> None:
        self.n2 = gmpy2.mpz(n) * n
        x = gmpy2.mpz(secrets.randbelow(n - 2) + 2)
        h = (-x * x) % n
        base = gmpy2.powmod(h, n, self.n2)
        self.nbytes = exponent_bits // 8
        self.tables: list[list[Any]] = []
        for _ in range(self.nbytes):
            row = [gmpy2.mpz(1)]
            for _v in range(255):
                row.append(row[-1] * base % self.n2)
            self.tables.append(row)
            base = row[-1] * base % self.n2

    def draw(self) -> Any:
        acc = gmpy2.mpz(1)
        n2 = self.n2
        for row, byte in zip(self.tables, secrets.token_bytes(self.nbytes), strict=True):
            acc = acc * row[byte] % n2
        return acc


def _plain(n: int, n2: Any, m: int) -> Any:
    """``g^m mod n²`` with g = n + 1: the deterministic encryption of m (to add a plaintext homomorphically)."""
    return (1 + gmpy2.mpz(n) * (m % n)) % n2


def weighted_product(ciphertexts: list[Any], weights: list[int], n2: Any) -> Any:
    """``Π c_i^{w_i} mod n²`` (the encryption of Σ w_i·m_i) for small integer weights by the bucket method: one
    multiplication per row into the bucket of its weight, then two per weight value (running products)."""
    pos: dict[int, Any] = {}
    neg: dict[int, Any] = {}
    for c, w in zip(ciphertexts, weights, strict=True):
        if w > 0:
            pos[w] = pos[w] * c % n2 if w in pos else c
        elif w < 0:
            neg[-w] = neg[-w] * c % n2 if -w in neg else c

    def combine(buckets: dict[int, Any]) -> Any:
        running, total = gmpy2.mpz(1), gmpy2.mpz(1)
        for v in range(max(buckets, default=0), 0, -1):
            bucket = buckets.get(v)
            if bucket is not None:
                running = running * bucket % n2
            if running != 1:
                total = total * running % n2
        return total

    result = combine(pos)
    if neg:
        result = result * gmpy2.invert(combine(neg), n2) % n2
    return result


def alignment_id(key: bytes, uscc: str) -> str:
    return hmac.new(key, uscc.encode(), hashlib.sha256).hexdigest()


def is_test_row(aid: str, test_share: float) -> bool:
    return int(aid[:8], 16) / 16**8 < test_share


# -------------------------------------------------------------------------------------------- the parties


class BankParty:
    """The bank: loan outcomes (1 = defaulted) of its customers by USCC, and the Paillier key pair."""

    def __init__(self, outcomes: dict[str, int], key_bits: int, policy: FederatedPolicy) -> None:
        self._outcomes = outcomes
        self._policy = policy
        self._key = secrets.token_bytes(32)
        self._public, self._private = paillier.generate_paillier_keypair(n_length=key_bits)
        self._by_id: dict[str, int] = {}
        self._train: list[str] = []
        self.seconds: dict[str, float] = {}

    def alignment_key(self) -> bytes:
        return self._key

    def alignment_ids(self) -> list[str]:
        self._by_id = {alignment_id(self._key, code): y for code, y in self._outcomes.items()}
        return sorted(self._by_id)

    def receive_common(self, common: list[str]) -> int:
        unknown = [aid for aid in common if aid not in self._by_id]
        if unknown:
            raise InvalidInput("对齐结果含有本行没有的客户", field="common")
        self._train = [aid for aid in common if not is_test_row(aid, self._policy.test_share)]
        return len(common)

    def public_key(self) -> int:
        return int(self._public.n)

    def encrypted_residuals(self) -> list[int]:
        """``[[c_i]]``, c_i = round((0.5 − y_i)·2^residual_bits), per training row in the common order."""
        started = time.perf_counter()
        n = self._public.n
        n2 = gmpy2.mpz(self._public.nsquare)
        obfuscator = FixedBaseObfuscator(n)
        scale = 1 << self._policy.residual_bits
        half = scale // 2
        out = [int(_plain(n, n2, half - scale * self._by_id[aid]) * obfuscator.draw() % n2) for aid in self._train]
        self.seconds["encrypt"] = time.perf_counter() - started
        return out

    def decrypt_masked(self, values: list[int]) -> list[int]:
        started = time.perf_counter()
        n = self._public.n
        out = []
        for value in values:
            plain = self._private.raw_decrypt(value)
            out.append(plain - n if plain > n // 2 else plain)
        self.seconds["decrypt"] = self.seconds.get("decrypt", 0.0) + time.perf_counter() - started
        return out

    def accuracy(self, test_ids: list[str], predictions: list[int]) -> float:
        if len(test_ids) != len(predictions) or not test_ids:
            raise InvalidInput("预测结果与测试样本数不符", field="predictions")
        hits = sum(1 for aid, p in zip(test_ids, predictions, strict=True) if self._by_id[aid] == p)
        return hits / len(test_ids)


class PlatformParty:
    """The platform: credit features per subject (USCC → values, names in ``feature_names``); owns the model."""

    def __init__(self, features: dict[str, list[float]], feature_names: list[str], policy: FederatedPolicy) -> None:
        self._features = features
        self.feature_names = feature_names
        self._policy = policy
        self._by_id: dict[str, list[float]] = {}
        self._train: list[str] = []
        self.test_ids: list[str] = []
        self._cols: list[list[int]] = []  # fixed-point training columns, intercept first
        self._test_cols: list[list[int]] = []
        self._mean: list[float] = []
        self._std: list[float] = []
        self.weights: list[float] = []
        self._n = 0
        self._n2: Any = None
        self._residuals: list[Any] = []
        self._aggregate: list[Any] = []
        self._masks: list[int] = []
        self._plain_terms: list[int] = []
        self._obfuscator: FixedBaseObfuscator | None = None
        self.seconds: dict[str, float] = {"aggregate": 0.0, "iterations": 0.0}

    def alignment_ids(self, key: bytes) -> list[str]:
        self._by_id = {alignment_id(key, code): values for code, values in self._features.items()}
        return sorted(self._by_id)

    def intersect(self, bank_ids: list[str]) -> list[str]:
        common = sorted(set(bank_ids) & set(self._by_id))
        if len(common) < self._policy.min_rows:
            raise InvalidInput(f"共同客户不足 {self._policy.min_rows} 个，不能训练（防止从梯度推断个体）", field="rows")
        self._train = [aid for aid in common if not is_test_row(aid, self._policy.test_share)]
        self.test_ids = [aid for aid in common if is_test_row(aid, self._policy.test_share)]
        self._prepare()
        return common

    def _prepare(self) -> None:
        """Standardise on the training rows, clip, encode in fixed point; column 0 is the intercept."""
        k = len(self.feature_names)
        n = len(self._train)
        rows = [self._by_id[aid] for aid in self._train]
        self._mean = [sum(r[j] for r in rows) / n for j in range(k)]
        self._std = [math.sqrt(sum((r[j] - self._mean[j]) ** 2 for r in rows) / n) or 1.0 for j in range(k)]
        self._cols = self._encode(rows)
        self._test_cols = self._encode([self._by_id[aid] for aid in self.test_ids])
        self.weights = [0.0] * (k + 1)

    def _encode(self, rows: list[list[float]]) -> list[list[int]]:
        scale = 1 << self._policy.feature_bits
        cols = [[scale] * len(rows)]
        for j in range(len(self.feature_names)):
            mean, std = self._mean[j], self._std[j]
            cols.append([round(max(-FEATURE_CLIP, min(FEATURE_CLIP, (r[j] - mean) / std)) * scale) for r in rows])
        return cols

    def standardised(self, test: bool = False) -> list[list[float]]:
        """The fixed-point columns as floats (for the central comparison on the same encoded features)."""
        scale = 1 << self._policy.feature_bits
        return [[v / scale for v in col] for col in (self._test_cols if test else self._cols)]

    def receive_public_key(self, n: int) -> None:
        if n.bit_length() < 1000:
            raise InvalidInput("公钥长度不足", field="key_bits")
        self._n = n
        self._n2 = gmpy2.mpz(n) * n

    def receive_residuals(self, ciphertexts: list[int], mode: Mode) -> None:
        if len(ciphertexts) != len(self._train):
            raise InvalidInput("密文数与训练样本数不符", field="residuals")
        self._residuals = [gmpy2.mpz(c) for c in ciphertexts]
        if mode == "aggregate":
            started = time.perf_counter()
            self._aggregate = [weighted_product(self._residuals, col, self._n2) for col in self._cols]
            self.seconds["aggregate"] += time.perf_counter() - started

    def _scores(self, cols: list[list[int]]) -> list[float]:
        scale = 1 << self._policy.feature_bits
        u = [0.0] * len(cols[0])
        for w, col in zip(self.weights, cols, strict=True):
            if w:
                ws = w / scale
                u = [a + ws * b for a, b in zip(u, col, strict=True)]
        return u

    def masked_gradient(self, mode: Mode) -> list[int]:
        """``[[g_j + r_j]]`` per weight, re-randomised; the masks are kept to remove from the bank's answer."""
        started = time.perf_counter()
        n, n2 = self._n, self._n2
        scale = 1 << self._policy.residual_bits
        m = [round((_sigmoid(v) - 0.5) * scale) for v in self._scores(self._cols)]
        if mode == "aggregate":
            self._plain_terms = [sum(map(mul, col, m)) for col in self._cols]
            encrypted = [c * _plain(n, n2, p) % n2 for c, p in zip(self._aggregate, self._plain_terms, strict=True)]
        else:
            residuals = [c * _plain(n, n2, mi) % n2 for c, mi in zip(self._residuals, m, strict=True)]
            encrypted = [weighted_product(residuals, col, n2) for col in self._cols]
            self._plain_terms = [sum(map(mul, col, m)) for col in self._cols]  # only for the mask bound
        xmax = max(max(abs(v) for v in col) for col in self._cols)
        bound = len(self._train) * xmax * (1 << (self._policy.residual_bits - 1)) + max(map(abs, self._plain_terms))
        bits = bound.bit_length() + 1
        if bits + self._policy.mask_bits + 2 >= n.bit_length() - 1:
            raise InvalidInput("梯度超出明文空间，请增大密钥长度或减少样本", field="key_bits")
        self._masks = [(1 << bits) + secrets.randbits(bits + self._policy.mask_bits) for _ in encrypted]
        if self._obfuscator is None:
            self._obfuscator = FixedBaseObfuscator(n)  # the platform's own table, for re-randomisation
        out = [
            int(c * _plain(n, n2, r) % n2 * self._obfuscator.draw() % n2)
            for c, r in zip(encrypted, self._masks, strict=True)
        ]
        self.seconds["iterations"] += time.perf_counter() - started
        return out

    def apply(self, decrypted: list[int]) -> list[float]:
        """Remove the masks and take one gradient step; the (true) gradient of this iteration."""
        if len(decrypted) != len(self._masks):
            raise InvalidInput("解密结果数与梯度维度不符", field="gradient")
        scale = (1 << self._policy.feature_bits) * (1 << self._policy.residual_bits) * len(self._train)
        gradient = [(v - r) / scale for v, r in zip(decrypted, self._masks, strict=True)]
        self._masks = []
        rate = self._policy.learning_rate
        self.weights = [w - rate * g for w, g in zip(self.weights, gradient, strict=True)]
        return gradient

    def predictions(self) -> list[int]:
        return [1 if u > 0 else 0 for u in self._scores(self._test_cols)]


# -------------------------------------------------------------------------------------------- the protocol


@dataclass
class ProtocolResult:
    weights: list[float]
    accuracy: float
    aligned: int
    train_rows: int
    test_rows: int
    seconds: dict[str, float]
    channel: Channel


def run_protocol(
    platform: PlatformParty,
    bank: BankParty,
    policy: FederatedPolicy,
    *,
    mode: Mode = "aggregate",
    channel: Channel | None = None,
    progress: Callable[[int], None] | None = None,
) -> ProtocolResult:
    """Run alignment, training and evaluation; every value that passes between the parties goes through ``channel``."""
    ch = channel or Channel()
    started = time.perf_counter()
    key = ch.send(BANK, PLATFORM, "alignment_key", bank.alignment_key())
    platform_ids = platform.alignment_ids(key)
    bank_ids = ch.send(BANK, PLATFORM, "alignment_ids", bank.alignment_ids())
    common = ch.send(PLATFORM, BANK, "common_ids", platform.intersect(bank_ids))
    del platform_ids
    bank.receive_common(common)
    align_seconds = time.perf_counter() - started
    platform.receive_public_key(ch.send(BANK, PLATFORM, "public_key", bank.public_key()))
    platform.receive_residuals(ch.send(BANK, PLATFORM, "encrypted_residuals", bank.encrypted_residuals()), mode)
    for iteration in range(policy.iterations):
        masked = ch.send(PLATFORM, BANK, "masked_gradient", platform.masked_gradient(mode))
        platform.apply(ch.send(BANK, PLATFORM, "decrypted_masked_gradient", bank.decrypt_masked(masked)))
        if progress is not None:
            progress(iteration + 1)
    predictions = ch.send(PLATFORM, BANK, "test_predictions", platform.predictions())
    accuracy = ch.send(BANK, PLATFORM, "accuracy", bank.accuracy(platform.test_ids, predictions))
    seconds = {
        "align": round(align_seconds, 3),
        "encrypt": round(bank.seconds.get("encrypt", 0.0), 3),
        "aggregate": round(platform.seconds["aggregate"], 3),
        "iterations": round(platform.seconds["iterations"], 3),
        "decrypt": round(bank.seconds.get("decrypt", 0.0), 3),
        "total": round(time.perf_counter() - started, 3),
    }
    return ProtocolResult(
        weights=platform.weights,
        accuracy=accuracy,
        aligned=len(common),
        train_rows=len(common) - len(platform.test_ids),
        test_rows=len(platform.test_ids),
        seconds=seconds,
        channel=ch,
    )


# -------------------------------------------------------------------------------------------- central baseline


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def train_central(cols: list[list[float]], y: list[int], iterations: int, learning_rate: float) -> list[float]:
    """Logistic regression by full-batch gradient descent on the exact loss (plain Python, column-major X with
    the intercept column first) — the centrally trained model the federated one is compared with."""
    n = len(y)
    weights = [0.0] * len(cols)
    for _ in range(iterations):
        u = [0.0] * n
        for w, col in zip(weights, cols, strict=True):
            if w:
                u = [a + w * b for a, b in zip(u, col, strict=True)]
        residual = [_sigmoid(z) - t for z, t in zip(u, y, strict=True)]
        weights = [w - learning_rate * sum(map(mul, col, residual)) / n for w, col in zip(weights, cols, strict=True)]
    return weights


def accuracy_of(weights: list[float], cols: list[list[float]], y: list[int]) -> float:
    u = [0.0] * len(y)
    for w, col in zip(weights, cols, strict=True):
        u = [a + w * b for a, b in zip(u, col, strict=True)]
    return sum(1 for z, t in zip(u, y, strict=True) if (z > 0) == (t == 1)) / len(y)


# -------------------------------------------------------------------------------------------- demo data

FEATURE_NAMES = [
    "penalties_3y",
    "records_3y",
    "fine_amount_3y",
    "arrears_records",
    "list_entries",
    "grade_score",
    "years_registered",
    "registered_capital",
    "licences",
    "commitments_kept",
    "objections",
    "repairs",
    "inspections_failed",
    "inspections_passed",
    "red_list",
    "social_insurance_staff",
    "tax_grade",
    "utility_arrears",
    "court_cases",
    "honours",
]


@dataclass
class DemoData:
    features: dict[str, list[float]]  # the platform's table
    feature_names: list[str]
    outcomes: dict[str, int]  # the bank's table


def demo_data(seed: int, rows: int, features: int) -> DemoData:
    """A deterministic district: ``rows`` subjects with ``features`` credit features at the platform, and a bank
    whose customers are those subjects plus 5 % the platform does not know, with outcomes drawn from a logistic
    model of the features (default rate about one in five)."""
    rng = random.Random(seed)
    names = [FEATURE_NAMES[j] if j < len(FEATURE_NAMES) else f"feature_{j + 1}" for j in range(features)]
    beta = [rng.choice((-1, 1)) * rng.uniform(0.2, 1.2) for _ in range(features)]
    scale = [rng.uniform(0.5, 20.0) for _ in range(features)]
    offset = [rng.uniform(0, 50) for _ in range(features)]
    table: dict[str, list[float]] = {}
    outcomes: dict[str, int] = {}
    for i in range(rows + rows // 20):
        code = make_uscc("9", "1", "440113", f"MA{i:06d}" if i < 10**6 else f"M{i:07d}")
        latent = rng.gauss(0, 1)
        z = [0.5 * latent + 0.85 * rng.gauss(0, 1) for _ in range(features)]
        logit = -1.6 + sum(b * v for b, v in zip(beta, z, strict=True)) / math.sqrt(max(1, features) / 4)
        outcomes[code] = 1 if rng.random() < _sigmoid(logit) else 0
        if i < rows:
            table[code] = [offset[j] + scale[j] * z[j] for j in range(features)]
    return DemoData(features=table, feature_names=names, outcomes=outcomes)


def central_baseline(platform: PlatformParty, data: DemoData, key: bytes, policy: FederatedPolicy) -> float:
    """Accuracy of the centrally trained model on the same aligned rows, split and encoded features (pools the
    demo data: possible only because both tables are synthetic)."""
    labels = {alignment_id(key, code): y for code, y in data.outcomes.items()}
    train_y = [labels[aid] for aid in platform._train]
    test_y = [labels[aid] for aid in platform.test_ids]
    weights = train_central(platform.standardised(), train_y, policy.iterations, policy.learning_rate)
    return accuracy_of(weights, platform.standardised(test=True), test_y)


# -------------------------------------------------------------------------------------------- the action


@dataclass
class RunOutcome:
    run: FederatedRun
    result: ProtocolResult


def start_demo_run(
    ctx: Context,
    *,
    rows: int = 2000,
    features: int = 10,
    key_bits: int | None = None,
    seed: int | None = None,
    mode: Mode = "aggregate",
    limit_rows: int | None = None,
    policy: FederatedPolicy | None = None,
    source: Source = "synthetic",
) -> RunOutcome:
    """Train on demo data between a platform and a bank object, compare with central training, store and audit
    the run. ``limit_rows`` caps ``rows`` (the web API passes its own limit). ``source="registry"``: the platform's
    features are computed from the registry (``federated_registry``: up to ``rows`` enterprises, its fixed
    feature set; ``features`` is ignored) and a demo bank's outcomes are drawn from them."""
    require(ctx, "federated.run")
    policy = policy or load_rules().federated
    bits = key_bits or policy.key_bits
    if bits not in policy.allowed_key_bits:
        raise InvalidInput(f"密钥长度须为 {policy.allowed_key_bits} 之一", field="key_bits")
    cap = limit_rows or 10**7
    if not policy.min_rows <= rows <= cap:
        raise InvalidInput(f"样本数须在 {policy.min_rows} 至 {cap} 之间", field="rows")
    if not 1 <= features <= policy.max_features:
        raise InvalidInput(f"特征数须在 1 至 {policy.max_features} 之间", field="features")
    since = datetime.combine(ctx.today, time_of_day(0), tzinfo=clock.CHINA_TZ).astimezone(UTC)
    today = select(func.count()).where(FederatedRun.actor == ctx.actor, FederatedRun.started_at >= since)
    if (ctx.session.scalar(today) or 0) >= policy.max_runs_per_day:
        raise InvalidInput(f"今日训练次数已达上限（{policy.max_runs_per_day} 次），请明日再试", field="rows")
    seed = seed if seed is not None else secrets.randbelow(2**31)
    if source == "registry":
        from xinyong.privacy.federated_registry import registry_data

        data = registry_data(ctx, seed, rows, policy.min_rows)
    else:
        data = demo_data(seed, rows, features)
    platform = PlatformParty(data.features, data.feature_names, policy)
    bank = BankParty(data.outcomes, bits, policy)
    started = time.perf_counter()
    result = run_protocol(platform, bank, policy, mode=mode, channel=Channel(keep_payloads=False))
    central_started = time.perf_counter()
    central = central_baseline(platform, data, bank.alignment_key(), policy)
    central_seconds = time.perf_counter() - central_started
    within = abs(result.accuracy - central) <= policy.tolerance
    run = FederatedRun(
        institution=ctx.institution or DEMO_BANK,
        features=data.feature_names,
        rows=result.aligned,
        iterations=policy.iterations,
        key_bits=bits,
        status="within_tolerance" if within else "outside_tolerance",
        accuracy=round(result.accuracy, 4),
        central_accuracy=round(central, 4),
        tolerance=policy.tolerance,
        detail={
            "seed": seed,
            "mode": mode,
            "demo": True,
            "source": source,
            "train_rows": result.train_rows,
            "test_rows": result.test_rows,
            "learning_rate": policy.learning_rate,
            "weights": [round(w, 6) for w in result.weights],
            "seconds": result.seconds | {"central": round(central_seconds, 3)},
            "exchanged": result.channel.summary(),
        },
        seconds=round(central_started - started, 3),
        actor=ctx.actor,
        started_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(run)
    ctx.session.flush()
    audit.record(
        ctx,
        "federated.run",
        "federated_run",
        run.id,
        {
            "institution": run.institution,
            "rows": run.rows,
            "features": len(run.features),
            "key_bits": bits,
            "accuracy": run.accuracy,
            "central_accuracy": run.central_accuracy,
            "seconds": run.seconds,
        },
        outcome=run.status,
    )
    return RunOutcome(run=run, result=result)
