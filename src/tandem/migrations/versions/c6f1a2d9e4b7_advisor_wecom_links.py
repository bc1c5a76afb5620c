"""advisor: WeCom links (client → WeCom user id for advisor messages)

Revision ID: c6f1a2d9e4b7
Revises: b4d2f8e61a07
Create Date: 2026-12-08 00:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c6f1a2d9e4b7"
down_revision = "b4d2f8e61a07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advisor_wecom_links",
        sa.Column("client_user_id", sa.Integer(), nullable=False),
        sa.Column("wecom_userid", sa.String(length=64), nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_user_id"],
            ["app_users.id"],
            name=op.f("fk_advisor_wecom_links_client_user_id_app_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_user_id", name=op.f("pk_advisor_wecom_links")),
    )


def downgrade() -> None:
    op.drop_table("advisor_wecom_links")
