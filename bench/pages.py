"""Deterministic, realistic guidance pages for benchmarks (~100 KB of HTML each)."""

from __future__ import annotations

import random

WORDS = (
    "smittevern kommunen helsepersonell vaksinasjon testing karantene isolasjon "
    "sykehjem anbefaler veilederen tiltak personer symptomer helsetjenesten "
    "fastlegen kommuneoverlegen risikogrupper oppfølging rutiner beredskap "
    "smittesporing nærkontakter utbrudd prøvetaking helsestasjon hjemmetjenesten "
    "bemanning forskrift folkehelseinstituttet helsedirektoratet "
).split()


def paragraph(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def page(index: int, version: int, target_bytes: int = 100_000) -> bytes:
    """Page ``index`` at ``version``: the same skeleton, one section's text differs by version."""
    rng = random.Random(index)
    parts = [
        "<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'>",
        f"<title>Veileder {index}</title><script>window.dataLayer=[];</script></head><body>",
        "<header><nav><a href='/'>Forside</a> <a href='/tema'>Tema</a></nav></header>",
        "<div class='cookie'>Vi benytter informasjonskapsler.</div><main>",
        f"<h1>Veileder nummer {index}</h1><p>Sist oppdatert: 0{1 + version % 9}.01.2026</p>",
    ]
    size = sum(map(len, parts))
    section = 0
    while size < target_bytes:
        section += 1
        block = [f"<h2>Kapittel {section}</h2>"]
        for _ in range(4):
            block.append(f"<p>{paragraph(rng, 60)}</p>")
        block.append("<ul>" + "".join(f"<li>{paragraph(rng, 8)}</li>" for _ in range(5)) + "</ul>")
        if section == 3:
            block.append(f"<p>Versjon {version} av anbefalingen gjelder fra nå.</p>")
        html = "".join(block)
        parts.append(html)
        size += len(html)
    parts.append("</main><footer>Kontakt oss</footer></body></html>")
    return "".join(parts).encode()
