"""The web app: an overview of the watched sources and the latest changes, a health check, a
JSON list of changes, the subscriber pages (sign-up and confirmation; preferences,
unsubscribe, export, erasure) and the staff console.

``app`` builds it, ``deps`` gives routes what they need, ``routes/`` holds one router per
area. ``create_app`` is imported on first use, so that the shell's modules may import
``notifier.web.links`` without loading every route (some routes import the planner, which
imports the links).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notifier.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from notifier.web.app import create_app

        return create_app
    raise AttributeError(name)
