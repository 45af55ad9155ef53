"""verifications: the auditors' signature verification history

Revision ID: 0005_verifications
Revises: 0001_foundation
Create Date: 2026-11-24 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_verifications"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("document_size", sa.Integer(), nullable=False),
        sa.Column("indication", sa.String(length=16), nullable=False),
        sa.Column("signature_count", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verifications_actor"), ["actor"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_verifications_document_sha256"), ["document_sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verifications_indication"), ["indication"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verifications_verified_at"), ["verified_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_verified_at"))
        batch_op.drop_index(batch_op.f("ix_verifications_indication"))
        batch_op.drop_index(batch_op.f("ix_verifications_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_verifications_actor"))
    op.drop_table("verifications")
