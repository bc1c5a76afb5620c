"""operations: referral links, campaigns with control groups, partner members

Revision ID: b4d2f8e61a07
Revises: b3e8f2a6c914
Create Date: 2026-12-07 17:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b4d2f8e61a07"
down_revision = "b3e8f2a6c914"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ops_campaigns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target_step", sa.String(length=24), nullable=False),
        sa.Column("content_id", sa.String(length=64), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("control_share", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_campaigns")),
    )
    with op.batch_alter_table("ops_campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_campaigns_code"), ["code"], unique=True)
    op.create_table(
        "ops_referral_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("campaign", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_referral_links")),
    )
    with op.batch_alter_table("ops_referral_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_referral_links_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_ops_referral_links_partner"), ["partner"], unique=False)
    op.create_table(
        "ops_partner_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_users.id"],
            name=op.f("fk_ops_partner_members_user_id_app_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_ops_partner_members")),
    )
    with op.batch_alter_table("ops_partner_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_partner_members_partner"), ["partner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ops_partner_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_partner_members_partner"))
    op.drop_table("ops_partner_members")
    with op.batch_alter_table("ops_referral_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_referral_links_partner"))
        batch_op.drop_index(batch_op.f("ix_ops_referral_links_code"))
    op.drop_table("ops_referral_links")
    with op.batch_alter_table("ops_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ops_campaigns_code"))
    op.drop_table("ops_campaigns")
