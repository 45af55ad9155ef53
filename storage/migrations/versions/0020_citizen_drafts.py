"""citizen: form drafts saved on every step

Revision ID: 0020_citizen_drafts
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_citizen_drafts"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_drafts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("form_code", sa.String(length=64), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("dossier_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_form_drafts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_drafts")),
    )
    with op.batch_alter_table("form_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_drafts_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_drafts_user_id"))
    op.drop_table("form_drafts")
