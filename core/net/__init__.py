"""Outbound network access that untrusted input can steer (URLs typed or collected by sellers).

Use :class:`core.net.safe_fetch.SafeFetcher` for every fetch of a URL that did not come from
our own configuration: it refuses schemes other than http(s) and any address that is not public,
re-checks every redirect, pins the vetted address against DNS rebinding, and bounds size and time.
"""
