"""operations: campaign launch — window, author, launch time and the audience snapshot

Revision ID: c7a3e9d2f415
Revises: b4d2f8e61a07
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7a3e9d2f415"
down_revision = "b4d2f8e61a07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ops_campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("window_days", sa.Integer(), nullable=False, server_default="14"))
        batch_op.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("launched_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "ops_campaign_members",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("control", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["ops_campaigns.id"],
            name=op.f("fk_ops_campaign_members_campaign_id_ops_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "client_id", name=op.f("pk_ops_campaign_members")),
    )


def downgrade() -> None:
    op.drop_table("ops_campaign_members")
    with op.batch_alter_table("ops_campaigns", schema=None) as batch_op:
        batch_op.drop_column("launched_at")
        batch_op.drop_column("created_by")
        batch_op.drop_column("window_days")
