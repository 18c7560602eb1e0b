"""The direct mail builder (notifier/channels/mime.py): what a mail reader gets back is what
was meant, and a header block that any reader could read differently is refused."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from notifier.channels import build_email
from notifier.channels.mime import _verify
from notifier.mailsafe import UnsafeMessage
from notifier.message import OutgoingMessage

LINK = "https://varsel.example.no/avmeld/" + "a" * 90
BODIES = [
    "Hei Kari,\n\nEndring " + "x" * 90 + "\nså",  # a long line: quoted-printable
    "kort\nsø",  # 8bit
    "ascii\nonly",  # 7bit
    "<p>" + "ø" * 200 + "</p>",
    "a\r\nb\rc\n\n",
    "",
    "trailing space \nx",
    "--===============1==\n. \n.\nFrom x",
]


def read(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("body", BODIES)
def test_a_reader_gets_back_the_texts_subject_and_links(body: str) -> None:
    message = OutgoingMessage(
        "lege@kommune.no", "Nytt om vaksinasjon for alle over 65 år: " + "ø" * 40, body,
        body, "k1", {"List-Unsubscribe": f"<{LINK}>, <mailto:avmeld@example.no>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )  # fmt: skip
    raw = build_email(message, "Helsevarsel <varsel@example.no>").raw
    parsed = read(raw)
    expected = "\r\n".join(body.replace("\r\n", "\n").replace("\r", "\n").splitlines())
    for part in parsed.iter_parts():
        assert isinstance(part, EmailMessage)
        assert part.get_content().rstrip("\r\n") == expected.rstrip("\r\n")
    assert " ".join(str(parsed["Subject"]).split()) == " ".join(message.subject.split())
    assert str(parsed["List-Unsubscribe"]) == f"<{LINK}>, <mailto:avmeld@example.no>"
    assert str(parsed["From"]) == "Helsevarsel <varsel@example.no>"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


@pytest.mark.parametrize(
    "head",
    [
        b"From: a\r\nTo: b\nBcc: x\r\n",
        b"From: a\r\nTo: b\r\nBcc: x\r\n",
        b"From: a\r\nTo: b\rBcc: x\r\n",
        b"From: a\r\n\r\nTo: b\r\n",
        b"From: a\r\nTo: b\r\nTo: c\r\n",
        b"From: a\r\nTo: \xc3\xa5\r\n",
        b" x\r\nFrom: a\r\nTo: b\r\n",
        b"From: a\r\nno header here\r\n",
        b"From: a\r\nTo: b\x00\r\n",
        b"From: a\r\n",
    ],
)
def test_a_header_block_any_reader_could_read_otherwise_is_refused(head: bytes) -> None:
    with pytest.raises(UnsafeMessage):
        _verify(head, ("From", "To"))


def test_a_folded_header_block_passes() -> None:
    _verify(b"From: a\r\nTo: b,\r\n c\r\n", ("From", "To"))
