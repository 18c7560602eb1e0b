"""The web app: an overview of the watched sources and the latest changes, a health check, a
JSON list of changes, and the subscriber pages (sign-up and confirmation; preferences,
unsubscribe, export, erasure).

``app`` builds it, ``deps`` gives routes what they need, ``routes/`` holds one router per
area."""

from __future__ import annotations

from notifier.web.app import create_app

__all__ = ["create_app"]
