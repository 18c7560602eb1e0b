"""The exceptions of the shell (the source side has its own tree in feeds.errors).

NotifierError
├── ConfigError                 a setting is wrong; the message names the variable
└── DeliveryError               a message could not be handed over
    ├── TemporaryDeliveryError      retried with backoff (4xx, timeouts, connection loss)
    └── PermanentDeliveryError      this delivery fails; the others go on
        ├── AddressRefused              5xx for the recipient: a hard bounce, counted
        └── InvalidMessage              the message cannot be built (bad address or header)
"""

from __future__ import annotations


class NotifierError(Exception):
    """Base of the shell's errors."""


class ConfigError(NotifierError):
    """A setting is missing or wrong."""


class DeliveryError(NotifierError):
    """A message could not be delivered."""


class TemporaryDeliveryError(DeliveryError):
    """Try again later."""


class PermanentDeliveryError(DeliveryError):
    """Do not try this delivery again."""


class AddressRefused(PermanentDeliveryError):
    """The server refused the recipient permanently (a hard bounce)."""


class InvalidMessage(PermanentDeliveryError):
    """The stored message cannot be built or sent as it is; retrying cannot help."""
