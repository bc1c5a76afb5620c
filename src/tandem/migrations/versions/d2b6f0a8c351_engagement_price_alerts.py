"""engagement: price alerts a client sets (fired once by the session triggers)

Revision ID: d2b6f0a8c351
Revises: c7a3e9d2f415
Create Date: 2026-12-08 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d2b6f0a8c351"
down_revision = "c7a3e9d2f415"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engagement_price_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_users.id"], name=op.f("fk_engagement_price_alerts_user_id_app_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_price_alerts")),
    )
    with op.batch_alter_table("engagement_price_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_price_alerts_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("engagement_price_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_price_alerts_user_id"))
    op.drop_table("engagement_price_alerts")
