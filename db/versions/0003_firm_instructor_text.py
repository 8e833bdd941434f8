"""The 党建指导员 sent to a property firm is kept as name and phone on the firm.

Instructors are usually community cadres or retired Party members without a record of their own, and
the issue's forms and sheets carry only their name and phone; the person link of 0001 never got used.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("property_firm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instructor_name", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("instructor_phone", sa.String(length=20), nullable=True))
    # Keep whatever a link held before dropping it.
    op.execute(
        "UPDATE property_firm SET "
        "instructor_name = (SELECT p.name FROM person p WHERE p.id = property_firm.instructor_person_id), "
        "instructor_phone = (SELECT p.phone FROM person p WHERE p.id = property_firm.instructor_person_id) "
        "WHERE instructor_person_id IS NOT NULL"
    )
    with op.batch_alter_table("property_firm", schema=None) as batch_op:
        batch_op.drop_constraint("fk_property_firm_instructor_person_id_person", type_="foreignkey")
        batch_op.drop_column("instructor_person_id")


def downgrade() -> None:
    with op.batch_alter_table("property_firm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instructor_person_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key("fk_property_firm_instructor_person_id_person", "person",
                                    ["instructor_person_id"], ["id"])
        batch_op.drop_column("instructor_phone")
        batch_op.drop_column("instructor_name")
