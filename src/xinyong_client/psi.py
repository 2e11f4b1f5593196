"""The bank's side of PSI and private membership queries (匿踪查询) against the platform (issue #10 items 1, 2).

The bank's codes never leave its machine in clear: they are encrypted under a key made for this run (ECDH,
openmined-psi) and the platform answers by re-encrypting them under its own key; comparing that with the setup
(the platform's encrypted set) tells the bank which of its codes are in the set, or only how many for a
cardinality-only scope. The platform learns how many codes were sent, nothing else.

Depends only on httpx and openmined-psi (no import of the platform's code)::

    with PlatformClient("https://xinyong.example", token) as platform:
        result = intersect(platform, "lists_dishonesty", read_portfolio(Path("customers.csv")))
        print(result.matches)            # or result.count for a cardinality-only scope
        check(platform, "lists_dishonesty", "91440113MA59XXXX0X")   # True / False

A stale version (the platform rebuilt the set: a repair, a removal, a new listing) answers 409: the client
fetches the new setup and sends its request again, once per retry.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import private_set_intersection.python as psi

API = "/api/v1/privacy"
PROTOBUF = "application/x-protobuf"
CODE_COLUMNS = ("统一社会信用代码", "社会信用代码", "uscc", "USCC", "code", "代码")
MAX_CODE = 64


class PsiError(Exception):
    """The platform refused, or the input is unusable: ``message`` is the platform's (Chinese) reason."""

    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


@dataclass
class CachedSetup:
    """A scope's setup as fetched: version, mode and the parsed message."""

    version: int
    reveal_intersection: bool
    max_client_elements: int
    message: psi.ServerSetup


@dataclass
class Result:
    """What the bank learns: the matching codes (intersection scopes) and their number."""

    scope: str
    version: int
    reveal_intersection: bool
    client_elements: int
    count: int
    matches: list[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "version": self.version,
            "mode": "intersection" if self.reveal_intersection else "cardinality",
            "client_elements": self.client_elements,
            "count": self.count,
            "matches": self.matches,
        }


@dataclass
class PlatformClient:
    """An httpx client of the platform's privacy API with a bank API token; setups cached per scope."""

    url: str
    token: str
    transport: httpx.BaseTransport | None = None
    timeout: float = 600.0
    setups: dict[str, CachedSetup] = field(default_factory=dict)
    _http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.url.rstrip("/"),
                headers={"Authorization": f"Bearer {self.token}"},
                transport=self.transport,
                timeout=self.timeout,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _raise(response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        try:
            body = response.json()
            message, code = str(body.get("message") or response.reason_phrase), str(body.get("error") or "")
        except ValueError:
            message, code = f"平台返回 {response.status_code}", ""
        raise PsiError(message, response.status_code, code)

    def sets(self) -> list[dict[str, Any]]:
        """The scopes offered and their current versions."""
        response = self.http.get(f"{API}/sets")
        self._raise(response)
        return list(response.json())

    def setup(self, scope: str, *, refresh: bool = False) -> CachedSetup:
        """The scope's current setup (fetched once, again on ``refresh``)."""
        if refresh or scope not in self.setups:
            response = self.http.get(f"{API}/sets/{scope}/setup")
            self._raise(response)
            message = psi.ServerSetup()
            message.ParseFromString(response.content)
            self.setups[scope] = CachedSetup(
                version=int(response.headers["X-PSI-Version"]),
                reveal_intersection=response.headers.get("X-PSI-Reveal-Intersection", "true") == "true",
                max_client_elements=int(response.headers.get("X-PSI-Max-Client-Elements", "0") or 0),
                message=message,
            )
        return self.setups[scope]

    def send(self, scope: str, version: int, body: bytes) -> httpx.Response:
        """Post a serialised request against ``version``."""
        headers = {"Content-Type": PROTOBUF, "X-PSI-Version": str(version)}
        return self.http.post(f"{API}/sets/{scope}/requests", content=body, headers=headers)


# --------------------------------------------------------------------------------------------- portfolios
def normal_codes(raw: list[str]) -> list[str]:
    """Trimmed, upper-cased, de-duplicated codes in first-seen order; blanks dropped."""
    seen: dict[str, None] = {}
    for item in raw:
        code = item.strip().strip("\ufeff").upper()
        if not code:
            continue
        if len(code) > MAX_CODE:
            raise PsiError(f"代码过长：{code[:20]}…")
        seen.setdefault(code, None)
    return list(seen)


def read_portfolio(path: Path, column: str | None = None) -> list[str]:
    """The codes of a portfolio file: one per line, or a CSV column (``column``, else the first column named like
    统一社会信用代码 / uscc / code, else the first column). Always read as text: codes are never numbers."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("gb18030")
    except OSError as exc:
        raise PsiError(f"无法读取文件 {path}：{exc.strerror}") from exc
    first = text.splitlines()[0] if text.strip() else ""
    if column or "," in first or path.suffix.lower() == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return []
        header = [h.strip() for h in rows[0]]
        if column:
            if column not in header:
                raise PsiError(f"文件中没有列“{column}”，现有列：{'、'.join(header)}")
            index = header.index(column)
        else:
            index = next((header.index(c) for c in CODE_COLUMNS if c in header), 0)
        first_cell = header[index] if index < len(header) else ""
        looks_like_code = first_cell.isascii() and first_cell.isalnum() and len(first_cell) >= 8
        has_header = column is not None or any(c in header for c in CODE_COLUMNS) or not looks_like_code
        body = rows[1:] if has_header else rows
        return normal_codes([row[index] for row in body if len(row) > index])
    return normal_codes(text.splitlines())


# --------------------------------------------------------------------------------------------- the protocol
def intersect(platform: PlatformClient, scope: str, codes: list[str], *, retries: int = 2) -> Result:
    """Run PSI of ``codes`` against ``scope``: the codes in the platform's set (or only how many)."""
    codes = normal_codes(codes)
    if not codes:
        raise PsiError("没有可查询的代码")
    cached = platform.setup(scope)
    for attempt in range(retries + 1):
        if cached.max_client_elements and len(codes) > cached.max_client_elements:
            raise PsiError(f"每次最多查询 {cached.max_client_elements} 个代码（本次 {len(codes)} 个），请分批")
        client = psi.client.CreateWithNewKey(cached.reveal_intersection)
        body = client.CreateRequest(codes).SerializeToString()
        response = platform.send(scope, cached.version, body)
        if response.status_code == 409 and attempt < retries:
            try:
                stale = response.json().get("error") == "stale_version"
            except ValueError:
                stale = False
            if stale:
                cached = platform.setup(scope, refresh=True)
                continue
        PlatformClient._raise(response)
        answer = psi.Response()
        answer.ParseFromString(response.content)
        if cached.reveal_intersection:
            indices = client.GetIntersection(cached.message, answer)
            matches = [codes[i] for i in sorted(indices)]
            return Result(scope, cached.version, True, len(codes), len(matches), matches)
        count = client.GetIntersectionSize(cached.message, answer)
        return Result(scope, cached.version, False, len(codes), count)
    raise PsiError("求交集合频繁更新，请稍后再试", 409, "stale_version")  # pragma: no cover (loop returns)


def check(platform: PlatformClient, scope: str, code: str) -> bool:
    """Private membership query (匿踪查询): whether ``code`` is in the scope's set, the platform not learning it."""
    return intersect(platform, scope, [code]).count > 0
