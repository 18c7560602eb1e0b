"""feeds: what changed. One round (``check``): fetch -> read -> detect -> classify -> store.

``catalogue`` (the sources, declared once), ``types`` (the values between stages), ``errors``
(the one exception tree), and the stages ``fetch/``, ``read/`` (one reader per source kind,
``read.READERS``), ``detect/``, ``classify/``, ``store/``. Never imports ``subscribers`` or
``notifier``.
"""
