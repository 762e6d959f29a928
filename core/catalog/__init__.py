"""The catalog: products from the collection box to published listings (DESIGN.md §2, 4-15).

Every service takes an :class:`~core.actor.Actor`, checks its permission, scopes every query by
its account and answers another account's ids with :class:`~core.errors.NotFound`. Rules live
here once, for the web UI, the JSON API, the CLI and jobs alike.

Modules, by role:

- :mod:`~core.catalog.states`: the product state machine (transitions, deletion and edit rules).
- :mod:`~core.catalog.products`: create (by hand, from a collector), read, edit, delete, history.
- :mod:`~core.catalog.claiming`: claim collection-box products to stores (draft copies).
- :mod:`~core.catalog.variants`: add, edit, remove variants.
- :mod:`~core.catalog.lifecycle`: state changes of publishing, delisting, relisting, pushes.
- :mod:`~core.catalog.categories`: local category trees (products, orders, images).
- :mod:`~core.catalog.payload`: product -> ``ListingPayload`` (no private data).
- :mod:`~core.catalog.listing_query`: the product list (filters, keyset pages, counts).
- :mod:`~core.catalog.batch_edit` (+ ``batch_operations``, ``expressions``): batch edit with
  price formulas; preview = result.
- :mod:`~core.catalog.importing` (+ ``import_rows``, ``import_writer``, ``spreadsheet``,
  ``template``) and :mod:`~core.catalog.exporting`: spreadsheets.
- :mod:`~core.catalog.publishing`: publish, push, delist, relist through a marketplace adapter.
- :mod:`~core.catalog.jobs`: the batch job functions (``CATALOG_JOBS``).
- ``schemas``, ``records``, ``access``, ``history``: shared schemas and helpers.
"""
