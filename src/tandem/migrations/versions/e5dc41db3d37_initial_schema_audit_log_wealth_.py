"""initial schema: audit log, wealth, accounts, backtest jobs, saved screens

Revision ID: e5dc41db3d37
Revises:
Create Date: 2026-11-27 09:21:14.773706
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5dc41db3d37"
down_revision = None
branch_labels = None
depends_on = None


# The audit log is append-only at the database level, not only in the service (mirrors AUDIT_GUARD_DDL in
# tandem.compliance.models; spelled out here so the migration never imports application code).
AUDIT_GUARD = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
        "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
}


def upgrade() -> None:
    op.create_table(
        "app_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login_hash", sa.String(length=64), nullable=False),
        sa.Column("login_enc", sa.LargeBinary(), nullable=False),
        sa.Column("login_kind", sa.String(length=8), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("non_personalised", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_users")),
    )
    with op.batch_alter_table("app_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_users_login_hash"), ["login_hash"], unique=True)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("decision", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_subject"), ["subject"], unique=False)

    for statement in AUDIT_GUARD.get(op.get_bind().dialect.name, ()):
        op.execute(statement)

    op.create_table(
        "backtest_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtest_jobs")),
    )
    with op.batch_alter_table("backtest_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_backtest_jobs_owner_user_id"), ["owner_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_backtest_jobs_status"), ["status"], unique=False)

    op.create_table(
        "saved_screens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_screens")),
        sa.UniqueConstraint("owner_user_id", "name", name=op.f("uq_saved_screens_owner_user_id")),
    )
    with op.batch_alter_table("saved_screens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_screens_owner_user_id"), ["owner_user_id"], unique=False)

    op.create_table(
        "wealth_plan",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("rule_version", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wealth_plan")),
    )
    with op.batch_alter_table("wealth_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wealth_plan_client_id"), ["client_id"], unique=False)

    op.create_table(
        "wealth_risk_assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=2), nullable=False),
        sa.Column("lowest_category", sa.Boolean(), nullable=False),
        sa.Column("forced_by", sa.JSON(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wealth_risk_assessment")),
    )
    with op.batch_alter_table("wealth_risk_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wealth_risk_assessment_client_id"), ["client_id"], unique=False)

    op.create_table(
        "app_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_users.id"], name=op.f("fk_app_sessions_user_id_app_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_app_sessions")),
    )
    with op.batch_alter_table("app_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "watchlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_users.id"], name=op.f("fk_watchlist_items_user_id_app_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_items")),
        sa.UniqueConstraint("user_id", "code", name="uq_watchlist_items_user_code"),
    )
    with op.batch_alter_table("watchlist_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watchlist_items_user_id"), ["user_id"], unique=False)

    op.create_table(
        "wealth_plan_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["wealth_plan.id"], name=op.f("fk_wealth_plan_history_plan_id_wealth_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wealth_plan_history")),
    )
    with op.batch_alter_table("wealth_plan_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wealth_plan_history_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wealth_plan_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wealth_plan_history_plan_id"))

    op.drop_table("wealth_plan_history")
    with op.batch_alter_table("watchlist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlist_items_user_id"))

    op.drop_table("watchlist_items")
    with op.batch_alter_table("app_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_sessions_user_id"))

    op.drop_table("app_sessions")
    with op.batch_alter_table("wealth_risk_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wealth_risk_assessment_client_id"))

    op.drop_table("wealth_risk_assessment")
    with op.batch_alter_table("wealth_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wealth_plan_client_id"))

    op.drop_table("wealth_plan")
    with op.batch_alter_table("saved_screens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_screens_owner_user_id"))

    op.drop_table("saved_screens")
    with op.batch_alter_table("backtest_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backtest_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_backtest_jobs_owner_user_id"))

    op.drop_table("backtest_jobs")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_subject"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor"))

    op.drop_table("audit_log")
    with op.batch_alter_table("app_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_users_login_hash"))

    op.drop_table("app_users")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
