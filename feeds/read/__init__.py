"""Reading: a fetched body to our own values (``feeds.types``), one reader per source kind."""
