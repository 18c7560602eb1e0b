"""Red team, round 10: poison content at the reader. JSON carries a lone surrogate as an
escape (``"\\udcff"``): ``json.loads`` gives it back as a character that can be neither
encoded as UTF-8 nor stored, so a HAPI answer with one in a title or a text failed its
source's every check when the version was stored (a text column refuses it). The HTML parser
turns ``&#xd800;`` into U+FFFD; the HAPI reader now does the same, and keeps a real pair (an
emoji written as two escapes) as the one character it is.
"""

from __future__ import annotations

from pathlib import Path

from feeds.read.hapi import extract_hapi

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hapi" / "rad.json"


def test_a_lone_surrogate_escape_in_a_hapi_answer_becomes_a_replacement_character() -> None:
    raw = FIXTURE.read_bytes().decode("utf-8-sig")
    poisoned = raw.replace('"tittel": "', '"tittel": "\\udcff\\ud800 \\ud83d\\ude00 ', 1)
    assert poisoned != raw
    content = extract_hapi(poisoned.encode())
    texts = [content.title] + [p for s in content.sections for p in (*s.path, s.text)]
    for text in texts:
        text.encode("utf-8")  # raises on a lone surrogate
    assert any("\ufffd\ufffd \U0001f600" in text for text in texts)
