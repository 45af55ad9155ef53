"""forms: form definitions, one row per version

Revision ID: 0002_forms
Revises: 0001_foundation
Create Date: 2026-11-24 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_forms"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("procedure_code", sa.String(length=16), nullable=False),
        sa.Column("title_vi", sa.String(length=500), nullable=False),
        sa.Column("title_en", sa.String(length=500), nullable=False),
        sa.Column("legal_basis", sa.String(length=64), nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("checksum", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=150), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=150), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_definitions")),
        sa.UniqueConstraint("code", "version", name="uq_form_definitions_code_version"),
    )
    with op.batch_alter_table("form_definitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_definitions_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_form_definitions_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_form_definitions_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_form_definitions_procedure_code"), ["procedure_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("form_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_definitions_procedure_code"))
        batch_op.drop_index(batch_op.f("ix_form_definitions_agency_id"))
        batch_op.drop_index(batch_op.f("ix_form_definitions_status"))
        batch_op.drop_index(batch_op.f("ix_form_definitions_code"))
    op.drop_table("form_definitions")
