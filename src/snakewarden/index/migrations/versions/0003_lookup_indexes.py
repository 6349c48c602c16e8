"""Indexes for project pages (files by release) and per-address login limits (events by ip).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_files_release_id"), "files", ["release_id"], unique=False)
    op.create_index(op.f("ix_events_ip"), "events", ["ip"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_events_ip"), table_name="events")
    op.drop_index(op.f("ix_files_release_id"), table_name="files")
