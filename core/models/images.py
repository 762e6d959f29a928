"""Image space (rules 16-19) and the images a product uses.

Files are content-addressed: ``content_hash`` (SHA-256 hex) names the bytes and is unique per
account, so uploading or fetching the same picture twice reuses one row. The storage backend
keeps the bytes under ``storage_key``; one key may serve several accounts, so the storage
layer deletes a file only when no row references it any more. Public URLs (what platforms
download) use ``public_token``, an unguessable random string, never the row id.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import account_fk, enum_field, fk, id_field, text_field, time_field

SMALL_IMAGE_PIXELS = 800
"""Images narrower or lower than this get a warning (rule 16), never a refusal."""


class Image(SQLModel, table=True):
    """One picture in an account's image space.

    ``is_small`` is true when width or height is under :data:`SMALL_IMAGE_PIXELS`.
    ``source_url`` is where it was fetched from (rule 18), when it was.
    ``category_id`` is the folder (a local category of kind ``image``).
    """

    __table_args__ = (
        UniqueConstraint("account_id", "content_hash"),
        UniqueConstraint("public_token"),
        Index("ix_image_account_created", "account_id", "created_at"),
    )

    id: int | None = id_field()
    account_id: int = account_fk(index=False)
    content_hash: str = Field(min_length=64, max_length=64)
    storage_key: str = Field(max_length=255)
    public_token: str = Field(max_length=64)
    name: str = Field(default="", max_length=255)
    category_id: int | None = fk("category.id", nullable=True, ondelete="SET NULL")
    width: int
    height: int
    format: str = Field(max_length=16)
    byte_size: int = Field(sa_column=Column(BigInteger(), nullable=False))
    is_small: bool = False
    source_url: str | None = text_field()
    created_at: datetime = time_field(default_now=True)


class ImageBlob(SQLModel, table=True):
    """One stored file, shared by every account's :class:`Image` row with its ``content_hash``.

    Not a seller row: the storage is content-addressed per deployment, so two accounts that
    upload the same picture share one file (each still pays for it in its own quota). The row
    is the lock that keeps "store this file" and "delete this file, nobody uses it" apart: both
    lock it first, so a file is only deleted while no :class:`Image` row references its hash.
    """

    __tablename__ = "image_blob"
    __table_args__ = (UniqueConstraint("content_hash"),)

    id: int | None = id_field()
    content_hash: str = Field(min_length=64, max_length=64)
    byte_size: int = Field(sa_column=Column(BigInteger(), nullable=False))
    created_at: datetime = time_field(default_now=True)


class ImageRole(enum.StrEnum):
    """How a product uses an image."""

    MAIN = "main"
    EXTRA = "extra"
    VARIANT = "variant"


class ProductImage(SQLModel, table=True):
    """One image of a product, in order: from the image space or by external URL.

    Exactly where the picture comes from:
    - ``image_id``: a picture in the image space (the recommended way, rule 18);
    - ``external_url``: a URL from a collected page, lost if the source removes it;
    - ``platform_url``: the platform's own copy, recorded once published (rule 17).
    A row needs at least one of them (CHECK). Deleting an image from the space sets
    ``image_id`` to NULL; rows of published products survive through ``platform_url``, while
    the image service first deletes the rows of unpublished products (they lose the image), so
    a row with no source left can never exist: the delete fails instead.
    A ``variant`` image names its ``variant_id``.
    """

    __tablename__ = "product_image"
    __table_args__ = (
        CheckConstraint(
            "image_id IS NOT NULL OR external_url IS NOT NULL OR platform_url IS NOT NULL",
            name="has_source",
        ),
        CheckConstraint(
            "(role = 'variant') = (variant_id IS NOT NULL)", name="variant_role_has_variant"
        ),
        Index("ix_product_image_product_position", "product_id", "position"),
    )

    id: int | None = id_field()
    account_id: int = account_fk()
    product_id: int = fk("product.id", index=False)
    variant_id: int | None = fk("variant.id", nullable=True)
    image_id: int | None = fk("image.id", nullable=True, ondelete="SET NULL")
    external_url: str | None = text_field()
    platform_url: str | None = text_field()
    role: ImageRole = enum_field(ImageRole, ImageRole.EXTRA)
    position: int = 0
