"""engagement delivery: outbox, dead letters, push decisions, notifications, receipts

Revision ID: 8c1e4d7a2b90
Revises: 3f7a9c2b81d4
Create Date: 2026-12-07 16:34:57.698298
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8c1e4d7a2b90"
down_revision = "3f7a9c2b81d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engagement_channel_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_channel_receipts")),
        sa.UniqueConstraint("channel", "idempotency_key", name="uq_engagement_channel_receipts_key"),
    )
    op.create_table(
        "engagement_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_engagement_notifications_idempotency_key")),
    )
    with op.batch_alter_table("engagement_notifications", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_notifications_client_created", ["client_id", "created_at"], unique=False)

    op.create_table(
        "engagement_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=40), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_engagement_outbox_idempotency_key")),
    )
    with op.batch_alter_table("engagement_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_outbox_client_day", ["client_id", "local_day"], unique=False)
        batch_op.create_index("ix_engagement_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "engagement_push_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("candidate_key", sa.String(length=64), nullable=False),
        sa.Column("outbox_key", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_push_decisions")),
    )
    with op.batch_alter_table("engagement_push_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_push_decisions_candidate_key"), ["candidate_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_push_decisions_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_push_decisions_outbox_key"), ["outbox_key"], unique=False)

    op.create_table(
        "engagement_dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replayed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["engagement_outbox.id"], name=op.f("fk_engagement_dead_letters_outbox_id_engagement_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_dead_letters")),
    )
    with op.batch_alter_table("engagement_dead_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_dead_letters_outbox_id"), ["outbox_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("engagement_dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_dead_letters_outbox_id"))

    op.drop_table("engagement_dead_letters")
    with op.batch_alter_table("engagement_push_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_push_decisions_outbox_key"))
        batch_op.drop_index(batch_op.f("ix_engagement_push_decisions_client_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_push_decisions_candidate_key"))

    op.drop_table("engagement_push_decisions")
    with op.batch_alter_table("engagement_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_outbox_due")
        batch_op.drop_index("ix_engagement_outbox_client_day")

    op.drop_table("engagement_outbox")
    with op.batch_alter_table("engagement_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_notifications_client_created")

    op.drop_table("engagement_notifications")
    op.drop_table("engagement_channel_receipts")
