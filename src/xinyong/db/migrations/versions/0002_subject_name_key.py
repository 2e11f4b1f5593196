"""subject name_key for exact substring search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 02:36:27.808871
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add subject.name_key and fill it for existing rows with the same normalisation the code uses."""
    from xinyong.subjects.names import normalize_name

    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=False, server_default=""))
    conn = op.get_bind()
    subject = sa.table(
        "subject", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String)
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(subject.c.id, subject.c.name).where(subject.c.id > last).order_by(subject.c.id).limit(20000)
        ).all()
        if not rows:
            break
        conn.execute(
            subject.update().where(subject.c.id == sa.bindparam("sid")).values(name_key=sa.bindparam("key")),
            [{"sid": r.id, "key": normalize_name(r.name)} for r in rows],
        )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.drop_column("name_key")
