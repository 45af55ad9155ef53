"""verifications: keep the ETSI TS 119 102-2 XML report beside the JSON one

Revision ID: 0012_verification_etsi_xml
Revises: 0005_verifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_verification_etsi_xml"
down_revision = "0005_verifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("etsi_xml", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_column("etsi_xml")
