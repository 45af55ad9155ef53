"""citizen store: results of earlier procedures, reused for prefill

Revision ID: 0003_citizen_store
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_citizen_store"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("dossier_code", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizen_records")),
        sa.UniqueConstraint("personal_id", "name", "dossier_code", name="uq_citizen_record"),
    )
    with op.batch_alter_table("citizen_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_citizen_records_personal_id"), ["personal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("citizen_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_records_personal_id"))
    op.drop_table("citizen_records")
