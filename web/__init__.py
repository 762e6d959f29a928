"""Tradewind's web layer: Litestar + Jinja2 + htmx pages and the JSON API under ``/api/v1``."""
