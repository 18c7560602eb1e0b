"""Detection: ``detection`` (a fetched version against the last one: the verb and the
changes, the review rules), ``diff`` (sections and items, word diffs), ``history``
(confirmation: page changes wait for a re-check) and ``story`` (the same story on several
sources)."""
