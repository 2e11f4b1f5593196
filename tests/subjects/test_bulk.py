"""The name index built in SQL holds exactly the grams ``names.name_grams`` defines."""

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.subjects.bulk import insert_subjects, next_subject_id
from xinyong.subjects.models import SubjectNameGram
from xinyong.subjects.names import name_grams

NAMES = [
    "广州禾丰食品有限公司",
    "广州（番禺）ＡＢＣ科技有限公司",
    "禾",
    "ab c-d",
    "番禺区市桥\u3000陈记 餐饮店",
    "𠀀𠀁字号有限公司",  # characters beyond the Basic Multilingual Plane
    "丰禾丰禾丰",  # repeated bigrams are stored once
]


def test_sql_grams_equal_python_grams(ctx: Context) -> None:
    first = next_subject_id(ctx.session)
    rows = [
        {"id": first + i, "kind": "legal_person", "name": n, "status": "存续", "source": "test", "created_at": ctx.at}
        for i, n in enumerate(NAMES)
    ]
    insert_subjects(ctx.session, rows)
    stored = {tuple(r) for r in ctx.session.execute(select(SubjectNameGram.gram, SubjectNameGram.subject_id))}
    expected = {(g, row["id"]) for row in rows for g in name_grams(row["name"])}
    assert stored == expected
