"""The negative check (rules.md §7): no catalogue item and no stored record may concern a category that has no
legal basis for credit records (信访, 拆迁, 闯红灯/行人交通违法, 遛狗/养犬, 物业费 …; keywords in the model YAML).

The catalogue is scanned in memory (names, descriptions, field labels, help texts, enumerations); the records with
a count over their category and values, each record tested once for every keyword form (``_matches``: one
PostgreSQL regular expression, one registered SQLite function; ``LIKE`` per form elsewhere), and, only when
something was found, a sample of the first ``SAMPLE`` hits. Record values are stored as JSON text, so each keyword
is matched both as written and in its ``\\uXXXX`` escaped form.

Over 5,000,000 records this is still a pass over every value: the monthly run therefore scans the whole registry
only when no earlier run of the same model version passed, and otherwise the records loaded since that run began
(records are never edited: a correction is a new row with its own ``loaded_at``). ``queries.check_negative`` (the
page's "立即检查", the CLI) always scans everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from xinyong.catalog.items import Catalog, load_catalog
from xinyong.monitoring.model_yaml import MonitoringModel
from xinyong.monitoring.schemas import NegativeFinding
from xinyong.records.models import CreditRecord

SAMPLE = 20
SQLITE_FUNCTION = "xinyong_negative_hit"


def _hits(text: str, keywords: dict[str, str]) -> list[tuple[str, str]]:
    return [(kw, cat) for kw, cat in keywords.items() if kw in text]


def scan_catalogue(catalog: Catalog, keywords: dict[str, str]) -> list[NegativeFinding]:
    """Catalogue items (and their fields) whose wording names an excluded category."""
    found: list[NegativeFinding] = []
    for item in catalog.items.values():
        for where, text in [("数据项名称", item.name), ("数据项说明", item.description)]:
            for kw, cat in _hits(text, keywords):
                found.append(NegativeFinding(kind="catalogue", item=item.id, where=where, keyword=kw, category=cat))
        for spec in item.fields:
            text = " ".join([spec.label, spec.help, *spec.values])
            for kw, cat in _hits(text, keywords):
                where = f"字段 {spec.label}"
                found.append(NegativeFinding(kind="catalogue", item=item.id, where=where, keyword=kw, category=cat))
    return found


def _escaped(keyword: str) -> str:
    return json.dumps(keyword)[1:-1]


def forms(keywords: dict[str, str]) -> list[str]:
    """Every keyword as written and in its ``\\uXXXX`` escaped form (how JSON text may hold it)."""
    return sorted({form for kw in keywords for form in (kw, _escaped(kw))})


_ARE_SPECIAL = set("\\^$.|?*+()[]{}")


def _are_literal(form: str) -> str:
    """``form`` as a literal in a PostgreSQL regular expression."""
    return "".join("\\" + ch if ch in _ARE_SPECIAL else ch for ch in form)


def sqlite_matcher(found: list[str]) -> Callable[[str | None], int]:
    """1 when the text contains one of ``found`` as SQLite's ``LIKE '%…%'`` finds it (ASCII letters in either
    case), else 0: one regular expression for the forms without a backslash and one, tried only on a text that
    has a backslash, for the escaped forms (JSON text escapes every CJK character: one alternation over both
    would try the escaped forms at each of them)."""
    plain = [f for f in found if "\\" not in f]
    escaped = [f for f in found if "\\" in f]
    flags = re.IGNORECASE | re.ASCII
    first = re.compile("|".join(map(re.escape, plain)), flags) if plain else None
    second = re.compile("|".join(map(re.escape, escaped)), flags) if escaped else None

    def hit(text: str | None) -> int:
        if text is None:
            return 0
        if first is not None and first.search(text):
            return 1
        return 1 if second is not None and "\\" in text and second.search(text) else 0

    return hit


def _matches(session: Session, text: ColumnElement[str], found: list[str]) -> ColumnElement[bool]:
    """``text`` contains one of ``found``, in one pass per row: PostgreSQL one regular expression (``~``, case
    as ``LIKE``), SQLite one registered function (``sqlite_matcher``), elsewhere one ``LIKE`` per form."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return text.op("~")("|".join(_are_literal(f) for f in found))
    if dialect == "sqlite":
        raw = session.connection().connection.driver_connection
        raw.create_function(SQLITE_FUNCTION, 1, sqlite_matcher(found), deterministic=True)
        return getattr(func, SQLITE_FUNCTION)(text) == 1
    return or_(*(text.contains(form, autoescape=True) for form in found))


def scan_records(session: Session, keywords: dict[str, str], since: datetime | None = None) -> list[NegativeFinding]:
    """Stored record versions (those loaded at or after ``since``, when given) whose category or values name an
    excluded category: one finding per (item, keyword) with the count of the sampled hits and their document
    numbers. A count (one pass over the records, the match tested once per row: ``_matches``), then, only when
    something was found, the first ``SAMPLE`` hits in id order."""
    text = func.coalesce(CreditRecord.category, "") + " " + cast(CreditRecord.data, Text)
    hit = _matches(session, text, forms(keywords))
    where = hit if since is None else and_(CreditRecord.loaded_at >= since, hit)
    total = session.scalar(select(func.count()).select_from(CreditRecord).where(where)) or 0
    if not total:
        return []
    rows = session.execute(
        select(CreditRecord.item_id, CreditRecord.doc_no, CreditRecord.category, cast(CreditRecord.data, Text))
        .where(where)
        .order_by(CreditRecord.id)
        .limit(SAMPLE)
    )
    grouped: dict[tuple[str, str], list[str]] = {}
    for item_id, doc_no, category, data in rows:
        blob = f"{category or ''} {data}"
        for kw in keywords:
            if kw in blob or _escaped(kw) in blob:
                grouped.setdefault((item_id, kw), []).append(doc_no)
    found = [
        NegativeFinding(
            kind="record", item=item_id, where="信用记录", keyword=kw, category=keywords[kw], count=len(docs), docs=docs
        )
        for (item_id, kw), docs in grouped.items()
    ]
    if total > SAMPLE:
        found.append(
            NegativeFinding(
                kind="record", item="*", where=f"另有 {total - SAMPLE} 条未列出", keyword="", category="", count=total
            )
        )
    return found


def run_check(
    session: Session, model: MonitoringModel, catalog: Catalog | None = None, since: datetime | None = None
) -> list[NegativeFinding]:
    """Every finding in the catalogue and the records (empty: the check passed); with ``since``, only the records
    loaded from then on (the monthly run's incremental check, see ``monitoring.service.run_month``)."""
    keywords = model.negative_check.keywords()
    return scan_catalogue(catalog or load_catalog(), keywords) + scan_records(session, keywords, since)


def as_json(findings: list[NegativeFinding]) -> list[dict[str, Any]]:
    """Findings as stored on a run."""
    return [f.model_dump() for f in findings]
