"""Reports and portal (issue #8): issued credit reports with their signing keys, portal articles, honest-enterprise
selections and nominations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:19:15.616582
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "honest_selection",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("list_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("decision_doc_no", sa.String(length=64), nullable=False),
        sa.Column("published_by", sa.String(length=128), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honest_selection")),
    )
    op.create_table(
        "portal_article",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("campaign", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdraw_reason", sa.String(length=500), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_article")),
    )
    with op.batch_alter_table("portal_article", schema=None) as batch_op:
        batch_op.create_index("ix_portal_article_listing", ["kind", "status", "published_at"], unique=False)

    op.create_table(
        "report_signing_key",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_report_signing_key")),
    )
    op.create_table(
        "credit_report",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=128), nullable=False),
        sa.Column("issued_role", sa.String(length=32), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("data_version", sa.String(length=80), nullable=False),
        sa.Column("facts_digest", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["report_signing_key.key_id"], name=op.f("fk_credit_report_key_id_report_signing_key")
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_credit_report_subject_id_subject")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_report")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_report_number")),
    )
    with op.batch_alter_table("credit_report", schema=None) as batch_op:
        batch_op.create_index("ix_credit_report_subject", ["subject_id", "issued_at"], unique=False)

    op.create_table(
        "honest_nomination",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("selection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("department_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("nominated_by", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=128), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("list_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_honest_nomination_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["list_entry_id"], ["list_entry.id"], name=op.f("fk_honest_nomination_list_entry_id_list_entry")
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"], ["honest_selection.id"], name=op.f("fk_honest_nomination_selection_id_honest_selection")
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_honest_nomination_subject_id_subject")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honest_nomination")),
        sa.UniqueConstraint("selection_id", "subject_id", name="uq_honest_nomination_subject"),
    )


def downgrade() -> None:
    op.drop_table("honest_nomination")
    with op.batch_alter_table("credit_report", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_report_subject")

    op.drop_table("credit_report")
    op.drop_table("report_signing_key")
    with op.batch_alter_table("portal_article", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_article_listing")

    op.drop_table("portal_article")
    op.drop_table("honest_selection")
