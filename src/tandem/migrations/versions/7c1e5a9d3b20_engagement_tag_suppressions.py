"""engagement: tag deletions a client made, honoured by every profile recomputation

Revision ID: 7c1e5a9d3b20
Revises: 8c1e4d7a2b90
Create Date: 2026-12-07 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7c1e5a9d3b20"
down_revision = "8c1e4d7a2b90"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engagement_tag_suppressions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("tag", sa.String(length=96), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_tag_suppressions")),
        sa.UniqueConstraint("client_id", "tag", name="uq_engagement_tag_suppressions_client_tag"),
    )
    with op.batch_alter_table("engagement_tag_suppressions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_tag_suppressions_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("engagement_tag_suppressions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_tag_suppressions_client_id"))
    op.drop_table("engagement_tag_suppressions")
