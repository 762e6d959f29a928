"""Accounts and people: sign-up, sign-in, staff, set-password links, personal API tokens.

Staff have per-area and per-store permissions.

Every function takes the session factory first and, where someone acts, the
:class:`~core.actor.Actor`; permissions are checked here, never only in the UI.
"""
