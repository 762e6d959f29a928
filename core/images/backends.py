"""Which storage backend keeps this deployment's image files.

The ``image_storage`` setting names a backend a plugin registered through
``register_storage_backends``: ``local`` (the built-in plugin ``storage_local``: the data
folder) unless a deployment installs and selects another one (an S3-compatible store).
"""

from __future__ import annotations

from core.config import ConfigError, Settings
from core.interfaces.storage import StorageBackend
from core.registry import Registry


def storage_for(settings: Settings, registry: Registry) -> StorageBackend:
    """The storage backend selected by ``settings.image_storage``.

    Raises:
        ConfigError: no loaded plugin registered that backend; the message lists those that
            are registered.
    """
    backend = registry.storage_backends.get(settings.image_storage)
    if backend is None:
        known = ", ".join(sorted(registry.storage_backends)) or "none"
        raise ConfigError(
            f"setting 'image_storage': no storage backend {settings.image_storage!r} is "
            f"registered (registered: {known}); is the plugin that provides it loaded? "
            "The built-in one is 'local', from the plugin 'storage_local'."
        )
    return backend
