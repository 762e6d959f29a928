"""Stores: authorization, the store list, deauthorization and credential refresh.

Authorization goes through the marketplace plugins; nothing here knows a platform.
"""
