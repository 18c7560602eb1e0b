"""Link tokens' signatures (subscribers.tokens)."""

from __future__ import annotations


def test_a_signature_is_the_hmac_sha256_of_its_purpose_and_body() -> None:
    """Signatures come from a keyed context copied for each (``tokens._keyed``): the same
    bytes as the one-shot HMAC, so links sent before still verify, and one secret's context
    never signs for another."""
    import base64
    import hmac

    from subscribers import tokens

    for secret in (b"a" * 32, b"b" * 32, b"k" * 100):
        for purpose, body in ((tokens.MANAGE, "12.1.1765324800"), ("confirm", "7.3.1")):
            mac = hmac.digest(secret, f"{purpose}|{body}".encode(), "sha256")[:18]
            want = base64.urlsafe_b64encode(mac).decode().rstrip("=")
            assert tokens._signature(secret, purpose, body) == want


def test_a_signer_gives_the_tokens_sign_gives() -> None:
    """``tokens.signer`` (a dispatch's links, its expiry and purpose computed once) makes
    byte for byte the tokens ``sign`` makes, and they verify."""
    from datetime import UTC, datetime

    from subscribers import tokens

    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    for purpose in (tokens.MANAGE, tokens.UNSUBSCRIBE, tokens.CONFIRM):
        make = tokens.signer(b"k" * 32, purpose, now)
        for sid, version in ((1, 0), (123456, 3), (10**12, 0)):
            token = make(sid, version)
            assert token == tokens.sign(b"k" * 32, purpose, sid, version, now)
            assert tokens.verify(b"k" * 32, purpose, token, now).subscriber_id == sid
        assert make(1, 0) != tokens.signer(b"j" * 32, purpose, now)(1, 0)
