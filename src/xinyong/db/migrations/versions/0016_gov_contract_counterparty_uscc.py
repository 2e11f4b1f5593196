"""Government contracts keep the counterparty's USCC as given (issue #11, item 2): before, only the link to a
registry subject holding it was stored, so a code no subject held yet was lost. Existing contracts with a linked
counterparty get that subject's code.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 03:13:33.740457
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gov_contract", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counterparty_uscc", sa.String(length=18), server_default="", nullable=False))
    op.execute(
        "UPDATE gov_contract SET counterparty_uscc = COALESCE((SELECT subject.uscc FROM subject "
        "WHERE subject.id = gov_contract.counterparty_id), '') WHERE counterparty_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("gov_contract", schema=None) as batch_op:
        batch_op.drop_column("counterparty_uscc")
