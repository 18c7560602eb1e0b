"""Delivery channels behind one protocol (``protocol.Channel``): e-mail (``email``, ``smtp``,
``mime``: SMTP and the mail folder), Web Push (``webpush``) and Apprise targets (``apprise``)."""

from notifier.channels.email import BuiltMail, MailFolderChannel, build_email
from notifier.channels.protocol import APPRISE, CHANNEL_NAMES, EMAIL, WEBPUSH, Channel
from notifier.channels.smtp import SmtpChannel

__all__ = [
    "APPRISE",
    "CHANNEL_NAMES",
    "EMAIL",
    "WEBPUSH",
    "BuiltMail",
    "Channel",
    "MailFolderChannel",
    "SmtpChannel",
    "build_email",
]
