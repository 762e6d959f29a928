"""Alembic script directory of Tradewind's schema; run it through :mod:`core.migrate`."""
