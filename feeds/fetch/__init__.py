"""Fetching: ``client`` (the one shared HTTP client: conditional GET, per-host politeness,
size and time limits), ``netguard`` (the one gate every outbound request passes), ``robots``
(robots.txt, per origin, cached) and ``parts`` (a document's chapters and a page's
attachments, through the same client)."""
