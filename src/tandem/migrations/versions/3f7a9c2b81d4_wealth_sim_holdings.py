"""wealth: simulated holdings recorded when a client accepts a plan in the app

Revision ID: 3f7a9c2b81d4
Revises: e5dc41db3d37
Create Date: 2026-11-27 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3f7a9c2b81d4"
down_revision = "e5dc41db3d37"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wealth_sim_holdings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("risk_level", sa.String(length=2), nullable=False),
        sa.Column("asset_class", sa.String(length=16), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.Column("nav", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("subscribed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["wealth_plan.id"], name=op.f("fk_wealth_sim_holdings_plan_id_wealth_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wealth_sim_holdings")),
    )
    with op.batch_alter_table("wealth_sim_holdings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wealth_sim_holdings_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wealth_sim_holdings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wealth_sim_holdings_client_id"))
    op.drop_table("wealth_sim_holdings")
