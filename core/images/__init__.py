"""The image space (DESIGN.md §2 rules 16-19): its service and its building blocks.

The service, :class:`core.images.service.ImageSpace`, is what pages, the JSON API, the CLI and
jobs call; it is assembled from :mod:`~core.images.ingest` (uploads, ZIPs, URLs, pad to
square), :mod:`~core.images.capture` (products' external images), :mod:`~core.images.library`
and :mod:`~core.images.folders` (search, folders), :mod:`~core.images.cleanup` (delete rules,
free space) and :mod:`~core.images.batches` (the same as jobs, see :mod:`~core.images.jobs`),
over :mod:`~core.images.store` (quota and shared-file transactions). Public URLs are
:mod:`core.images.public`; results are the dataclasses of :mod:`core.images.views`.

The building blocks below know no database and no platform:

- :mod:`core.images.inspect`: is it a safe, whole JPEG/PNG/GIF/WEBP, and what is it.
- :mod:`core.images.thumbs`: thumbnails and the "pad to square" action.
- :mod:`core.images.zipimport`: the images out of an uploaded ZIP, one refusal per bad member.
- :mod:`core.images.storage_local`: the embedded, content-addressed file store.
- :mod:`core.images.remote`: keep our own copy of an image by URL.
- :mod:`core.images.quota`: the quota arithmetic.
- :mod:`core.images.errors`: every refusal, with its machine ``reason``.
"""
