"""Wish marketplace plugin (its local sandbox lives in :mod:`plugins.wish.sandbox`)."""
