"""The image space's building blocks, free of the database and of any platform.

- :mod:`core.images.inspect`: is it a safe, whole JPEG/PNG/GIF/WEBP, and what is it.
- :mod:`core.images.thumbs`: thumbnails and the "pad to square" action.
- :mod:`core.images.zipimport`: the images out of an uploaded ZIP, one refusal per bad member.
- :mod:`core.images.storage_local`: the embedded, content-addressed file store.
- :mod:`core.images.remote`: keep our own copy of an image by URL.
- :mod:`core.images.quota`: the quota arithmetic.
- :mod:`core.images.errors`: every refusal, with its machine ``reason``.
"""
