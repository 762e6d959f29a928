"""Orders: the seller's view of synced marketplace orders, sync on demand, fulfilment.

- :mod:`~core.orders.service`: list and read orders (account- and store-scoped), "sync now".
- :mod:`~core.orders.fulfilment`: declare an order shipped on its platform (job ``orders.fulfil``).
"""
