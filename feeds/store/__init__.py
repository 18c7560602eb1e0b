"""The source side's storage: ``models`` (the tables ``source``, ``snapshot``, ``change``,
``source_check_hour``), ``snapshot`` (the format a version's state is stored in), ``sources``
(the catalogue's sources, the round's targets, health) and ``versions`` (new versions with
their changes, confirmation's verdicts, pruning)."""
