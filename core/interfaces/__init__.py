"""The small interfaces that plugins register through the hooks (see :mod:`core.hookspecs`)."""
