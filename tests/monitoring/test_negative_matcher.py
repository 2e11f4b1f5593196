"""The negative check's one-pass match (``negative_check._matches``: a PostgreSQL regular expression, a SQLite
function) finds exactly what one ``LIKE '%form%'`` per keyword form finds, on each database: keywords as written,
JSON-escaped (either case of the hex digits: SQLite's ``LIKE`` ignores ASCII case, PostgreSQL's does not),
embedded in longer text, split, absent, NULL. SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import String, literal, null, or_, select
from sqlalchemy.orm import Session

from xinyong.monitoring import negative_check as nc
from xinyong.monitoring.model_yaml import DEFAULT_VERSION, load_model

KEYWORDS = load_model(DEFAULT_VERSION).negative_check.keywords()
SAMPLES = [
    "罚款 {}",
    "行政处罚 因信访问题作出",
    '经营许可 {"content": "拆迁补偿"}',
    json.dumps({"content": "当事人闯红灯"}),
    json.dumps({"content": "当事人闯红灯"}).upper(),
    json.dumps({"content": "拖欠物业管理费"}).replace("\\u7269", "\\u7269".upper()),
    json.dumps({"content": "履行义务，行政处罚法"}),
    "信 访",
    "上访",
    "遛 狗",
    "\\u4fe1",
    "a%b_c\\d 物业",
    "",
]


def _like(db: Session, text: object) -> bool:
    value = literal(text, String) if text is not None else null()
    cond = or_(*(value.contains(f, autoescape=True) for f in nc.forms(KEYWORDS)))
    return bool(db.scalar(select(cond)))


def _one_pass(db: Session, text: object) -> bool:
    value = literal(text, String) if text is not None else null()
    return bool(db.scalar(select(nc._matches(db, value, nc.forms(KEYWORDS)))))


def test_one_pass_equals_a_like_per_form(db: Session) -> None:
    found = []
    for sample in [*SAMPLES, None]:
        expected = _like(db, sample)
        assert _one_pass(db, sample) == expected, sample
        found.append(expected)
    assert any(found) and not all(found)  # both outcomes exercised


def test_the_sqlite_matcher_in_python() -> None:
    hit = nc.sqlite_matcher(nc.forms(KEYWORDS))
    assert hit(None) == 0 and hit("") == 0 and hit("行政处罚法") == 0
    assert hit("信访") == 1 and hit(json.dumps("物业费")) == 1 and hit(json.dumps("物业费").upper()) == 1
