"""citizen: index form drafts by form code and version (publishing counts open drafts)

Revision ID: 0013_form_drafts_form_code_index
Revises: 0020_citizen_drafts
"""

from alembic import op

revision = "0013_form_drafts_form_code_index"
down_revision = "0020_citizen_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("form_drafts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_form_drafts_form_code_version", ["form_code", "form_version"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("form_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_form_drafts_form_code_version")
