"""The product state machine (DESIGN.md §2 rules 4-7), in one table.

::

    collection_box --claim--> draft (a copy bound to a store; the collected product stays)
    draft / publish_failed --start_publish--> publishing
    publishing --publish_succeeded--> published
    publishing --publish_failed--> publish_failed (with the platform's reason)
    publishing --return_to_draft--> draft (stopped before anything was sent)
    published --delist--> delisted --relist--> published

Deletion is permanent and allowed only where nothing exists on the platform: in the collection
box, in drafts and after a failed publish (the platform said no, so it holds no listing; an
attempt whose outcome was unknown stays ``publishing`` until it is read back). ``publishing``
cannot be deleted or edited until the attempt settles; ``published`` and ``delisted`` products
exist on the platform and can only be delisted (rule 5).

Every service asks this module, so the UI, the JSON API, the CLI and jobs get the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from core.errors import RuleViolation
from core.i18n import N_, Message, msg
from core.models.catalog import ProductState

S = ProductState


class ProductAction(StrEnum):
    """Something that moves a product from one state to another."""

    CLAIM = "claim"
    START_PUBLISH = "start_publish"
    PUBLISH_SUCCEEDED = "publish_succeeded"
    PUBLISH_FAILED = "publish_failed"
    RETURN_TO_DRAFT = "return_to_draft"
    DELIST = "delist"
    RELIST = "relist"


TRANSITIONS: Mapping[tuple[ProductState, ProductAction], ProductState] = MappingProxyType(
    {
        (S.COLLECTION_BOX, ProductAction.CLAIM): S.DRAFT,
        (S.DRAFT, ProductAction.START_PUBLISH): S.PUBLISHING,
        (S.PUBLISH_FAILED, ProductAction.START_PUBLISH): S.PUBLISHING,
        (S.PUBLISHING, ProductAction.PUBLISH_SUCCEEDED): S.PUBLISHED,
        (S.PUBLISHING, ProductAction.PUBLISH_FAILED): S.PUBLISH_FAILED,
        (S.PUBLISHING, ProductAction.RETURN_TO_DRAFT): S.DRAFT,
        (S.PUBLISHED, ProductAction.DELIST): S.DELISTED,
        (S.DELISTED, ProductAction.RELIST): S.PUBLISHED,
    }
)
"""``(state, action) -> new state``; a pair that is missing is refused."""

DELETABLE_STATES = frozenset({S.COLLECTION_BOX, S.DRAFT, S.PUBLISH_FAILED})
"""States in which a product may be deleted (permanently)."""

ON_PLATFORM_STATES = frozenset({S.PUBLISHED, S.DELISTED})
"""States in which the listing exists on the platform: edits are pushed, deletion refused."""

STATE_LABELS: Mapping[ProductState, tuple[str, str]] = MappingProxyType(
    {
        S.COLLECTION_BOX: (N_("collection box"), "采集箱"),
        S.DRAFT: (N_("draft"), "待发布"),
        S.PUBLISHING: (N_("publishing"), "发布中"),
        S.PUBLISHED: (N_("published"), "已发布"),
        S.PUBLISH_FAILED: (N_("publish failed"), "发布失败"),
        S.DELISTED: (N_("delisted"), "已下架"),
    }
)
"""English and Chinese names of each state, for messages and tabs."""

_ACTIONS: Mapping[ProductAction, str] = MappingProxyType(
    {
        ProductAction.CLAIM: N_("claim"),
        ProductAction.START_PUBLISH: N_("publish"),
        ProductAction.PUBLISH_SUCCEEDED: N_("mark as published"),
        ProductAction.PUBLISH_FAILED: N_("mark as failed"),
        ProductAction.RETURN_TO_DRAFT: N_("return to drafts"),
        ProductAction.DELIST: N_("delist"),
        ProductAction.RELIST: N_("relist"),
    }
)
"""What each action is called in refusals (``cannot publish: ...``)."""

_REFUSALS: Mapping[tuple[ProductState, ProductAction], str] = MappingProxyType(
    {
        (S.PUBLISHING, ProductAction.START_PUBLISH): N_("it is already being published"),
        (S.PUBLISHED, ProductAction.START_PUBLISH): N_("it is already published"),
        (S.DELISTED, ProductAction.START_PUBLISH): N_("it is delisted: relist it instead"),
        (S.COLLECTION_BOX, ProductAction.START_PUBLISH): N_(
            "collection-box products are not bound to a store: claim it to a store first"
        ),
        (S.DELISTED, ProductAction.DELIST): N_("it is already delisted"),
        (S.PUBLISHED, ProductAction.RELIST): N_("it is already on sale"),
    }
)


def label(state: ProductState) -> Message:
    """The English name of ``state`` (``"publish failed"``), translatable."""
    return msg(STATE_LABELS[state][0])


def can(state: ProductState, action: ProductAction) -> bool:
    """Whether ``action`` is allowed for a product in ``state``."""
    return (state, action) in TRANSITIONS


def next_state(state: ProductState, action: ProductAction) -> ProductState:
    """The state after ``action``.

    Raises:
        RuleViolation: the action is not allowed in ``state``; the message says why.
    """
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        refusal = _REFUSALS.get((state, action))
        reason = msg(refusal) if refusal else msg("it is %(state)s", state=label(state))
        raise RuleViolation(
            msg(
                "cannot %(action)s: %(reason)s",
                action=msg(_ACTIONS[action]),
                reason=reason,
            )
        ) from None


def deletion_refusal(state: ProductState) -> Message | None:
    """Why a product in ``state`` cannot be deleted, or ``None`` when it can (rules 5, 6)."""
    if state in DELETABLE_STATES:
        return None
    if state is S.PUBLISHED:
        return msg("a published product cannot be deleted, only delisted: delist instead")
    if state is S.DELISTED:
        return msg(
            "a delisted product still exists on the platform and cannot be deleted; "
            "it can only be delisted (keep it delisted: delist instead of deleting)"
        )
    return msg("the product is being published; wait until publishing has finished")


def edit_refusal(state: ProductState) -> Message | None:
    """Why a product in ``state`` cannot be edited now, or ``None`` when it can."""
    if state is S.PUBLISHING:
        return msg("the product is being published; edit it when publishing has finished")
    return None


def require_editable(state: ProductState) -> None:
    """Raise :class:`RuleViolation` unless a product in ``state`` may be edited."""
    refusal = edit_refusal(state)
    if refusal:
        raise RuleViolation(refusal)


def require_deletable(state: ProductState) -> None:
    """Raise :class:`RuleViolation` unless a product in ``state`` may be deleted."""
    refusal = deletion_refusal(state)
    if refusal:
        raise RuleViolation(refusal)
