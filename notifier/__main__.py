"""``python -m notifier``: the command line."""

from notifier.cli import app

app(prog_name="notifier")
