"""The transport-neutral message every channel sends (e-mail now; push later)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutgoingMessage:
    to: str
    subject: str
    text: str
    html: str
    idempotency_key: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def message_id(self, domain: str) -> str:
        """A stable Message-ID derived from the idempotency key: a resend is recognisable."""
        token = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:40]
        return f"<{token}@{domain}>"


def unsubscribe_headers(unsubscribe: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 one-click unsubscribe headers for a mail whose signed
    unsubscribe link is ``unsubscribe``."""
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
