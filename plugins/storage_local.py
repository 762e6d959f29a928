"""Built-in plugin ``storage_local``: image files in the data folder (the default backend).

Registers :class:`core.images.storage_local.LocalImageStorage` under the id ``local``, rooted
at ``<data_dir>/images``. A deployment that keeps its images elsewhere (an S3-compatible store)
installs a plugin that registers another backend and sets ``image_storage`` to its id.
"""

from __future__ import annotations

from collections.abc import Callable

from core import hookimpl
from core.config import Settings
from core.images.storage_local import LocalImageStorage
from core.interfaces.storage import StorageBackend

IMAGES_FOLDER = "images"
"""Sub-folder of the data folder that holds the image files."""


@hookimpl
def register_storage_backends(
    register: Callable[[StorageBackend], None], settings: Settings
) -> None:
    """Register the local image store of this deployment's data folder."""
    register(LocalImageStorage(settings.data_dir / IMAGES_FOLDER))
