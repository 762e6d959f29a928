"""``python -m core.cli`` runs the ``tradewind`` command."""

from core.cli import main

main()
