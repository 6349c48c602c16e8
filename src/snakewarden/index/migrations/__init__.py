"""Alembic migrations of the index database (run by ``snakewarden.index.db.migrate``)."""
