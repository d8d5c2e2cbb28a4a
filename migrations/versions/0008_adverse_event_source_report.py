"""An adverse event's source is a symptom report of the same participant, by foreign key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('adverse_event_version', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_adverse_event_version_source_symptom_report_id_symptom_report'),
            'symptom_report', ['source_symptom_report_id'], ['id'])


def downgrade():
    with op.batch_alter_table('adverse_event_version', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_adverse_event_version_source_symptom_report_id_symptom_report'),
            type_='foreignkey')
