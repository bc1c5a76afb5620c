"""advisor: education track (course lessons, enrolments, progress), WeCom directory, mass-send counts

Revision ID: c7a1e5d9f342
Revises: d2b6f0a8c351
Create Date: 2026-12-08 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7a1e5d9f342"
down_revision = "d2b6f0a8c351"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advisor_course_lessons",
        sa.Column("course_item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lesson_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_item_id"],
            ["advisor_content_items.id"],
            name=op.f("fk_advisor_course_lessons_course_item_id_advisor_content_items"),
        ),
        sa.ForeignKeyConstraint(
            ["lesson_item_id"],
            ["advisor_content_items.id"],
            name=op.f("fk_advisor_course_lessons_lesson_item_id_advisor_content_items"),
        ),
        sa.PrimaryKeyConstraint("course_item_id", "position", name=op.f("pk_advisor_course_lessons")),
        sa.UniqueConstraint("course_item_id", "lesson_item_id", name="uq_advisor_course_lessons_lesson"),
    )
    with op.batch_alter_table("advisor_course_lessons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advisor_course_lessons_lesson_item_id"), ["lesson_item_id"], unique=False)
    op.create_table(
        "advisor_course_enrolments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_item_id", sa.Integer(), nullable=False),
        sa.Column("client_user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=2), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_item_id"],
            ["advisor_content_items.id"],
            name=op.f("fk_advisor_course_enrolments_course_item_id_advisor_content_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisor_course_enrolments")),
        sa.UniqueConstraint("course_item_id", "client_user_id", name="uq_advisor_course_enrolments"),
    )
    with op.batch_alter_table("advisor_course_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advisor_course_enrolments_client_user_id"), ["client_user_id"], unique=False
        )
    op.create_table(
        "advisor_lesson_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("lesson_item_id", sa.Integer(), nullable=False),
        sa.Column("lesson_version_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["advisor_course_enrolments.id"],
            name=op.f("fk_advisor_lesson_progress_enrolment_id_advisor_course_enrolments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisor_lesson_progress")),
        sa.UniqueConstraint("enrolment_id", "lesson_item_id", name="uq_advisor_lesson_progress"),
    )
    with op.batch_alter_table("advisor_lesson_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advisor_lesson_progress_enrolment_id"), ["enrolment_id"], unique=False)
    op.create_table(
        "advisor_wecom_contacts",
        sa.Column("client_user_id", sa.Integer(), nullable=False),
        sa.Column("binding_code", sa.String(length=30), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_userid", sa.String(length=64), nullable=True),
        sa.Column("external_userid", sa.String(length=64), nullable=True),
        sa.Column("unionid", sa.String(length=64), nullable=True),
        sa.Column("follow_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_user_id"],
            ["app_users.id"],
            name=op.f("fk_advisor_wecom_contacts_client_user_id_app_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_user_id", name=op.f("pk_advisor_wecom_contacts")),
        sa.UniqueConstraint("binding_code", name=op.f("uq_advisor_wecom_contacts_binding_code")),
        sa.UniqueConstraint("external_userid", name=op.f("uq_advisor_wecom_contacts_external_userid")),
    )
    with op.batch_alter_table("advisor_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wecom_userid", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_advisor_profiles_wecom_userid"), ["wecom_userid"])
    with op.batch_alter_table("advisor_send_archive", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mass_messages", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("advisor_send_archive", schema=None) as batch_op:
        batch_op.drop_column("mass_messages")
    with op.batch_alter_table("advisor_profiles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_advisor_profiles_wecom_userid"), type_="unique")
        batch_op.drop_column("wecom_userid")
    op.drop_table("advisor_wecom_contacts")
    with op.batch_alter_table("advisor_lesson_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisor_lesson_progress_enrolment_id"))
    op.drop_table("advisor_lesson_progress")
    with op.batch_alter_table("advisor_course_enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisor_course_enrolments_client_user_id"))
    op.drop_table("advisor_course_enrolments")
    with op.batch_alter_table("advisor_course_lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisor_course_lessons_lesson_item_id"))
    op.drop_table("advisor_course_lessons")
