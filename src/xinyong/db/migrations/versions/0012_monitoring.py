"""City credit monitoring (issue #12, item 1): monthly runs (history kept), indicator values per unit, and manual
indicator entries with evidence.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 16:27:50.105379
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitoring_run",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("district_score", sa.Float(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("negative_ok", sa.Boolean(), nullable=False),
        sa.Column("negative", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_run")),
    )
    with op.batch_alter_table("monitoring_run", schema=None) as batch_op:
        batch_op.create_index("ix_monitoring_run_month", ["model_version", "month", "current"], unique=False)

    op.create_table(
        "monitoring_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=9), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("entered_by", sa.String(length=128), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_monitoring_entry_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_entry")),
    )
    with op.batch_alter_table("monitoring_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monitoring_entry_month", ["model_version", "month", "indicator", "unit"], unique=False
        )

    op.create_table(
        "monitoring_value",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit", sa.String(length=9), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("previous", sa.Float(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["monitoring_entry.id"], name=op.f("fk_monitoring_value_entry_id_monitoring_entry")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["monitoring_run.id"], name=op.f("fk_monitoring_value_run_id_monitoring_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_value")),
    )
    with op.batch_alter_table("monitoring_value", schema=None) as batch_op:
        batch_op.create_index("ix_monitoring_value_run", ["run_id", "unit", "indicator"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("monitoring_value", schema=None) as batch_op:
        batch_op.drop_index("ix_monitoring_value_run")

    op.drop_table("monitoring_value")
    with op.batch_alter_table("monitoring_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_monitoring_entry_month")

    op.drop_table("monitoring_entry")
    with op.batch_alter_table("monitoring_run", schema=None) as batch_op:
        batch_op.drop_index("ix_monitoring_run_month")

    op.drop_table("monitoring_run")
