"""``/api/v1/docs``: a readable page made from the OpenAPI document, in bokmål or nynorsk.

Pure: ``render(schema, lang)`` returns the HTML. No script, nothing loaded from other hosts
(no CDN: the service may run without network); one inline style block, allowed by its hash
in the page's own Content-Security-Policy (``CSP``). Every text taken from the schema is
escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from html import escape
from typing import Any

INTRO_NB = (
    "Helsevarsel følger regjeringen.no, FHI, Helsedirektoratet og andre helsemyndigheter og "
    "finner det som endres. API-et gir de publiserte endringene med de samme filtrene som "
    "endringsloggen på /endringer. Svarene er JSON med faste feltnavn; alle tider er i UTC. "
    "Svarene har ETag, så en klient kan spørre med If-None-Match og få 304 når ingenting er "
    "nytt. Sider hentes videre med lenken i «next». Teksten fra utgiverne er gjengitt under "
    "Norsk lisens for offentlige data (NLOD)."
)
INTRO_NN = (
    "Helsevarsel følgjer regjeringen.no, FHI, Helsedirektoratet og andre helsestyresmakter og "
    "finn det som blir endra. API-et gir dei publiserte endringane med dei same filtera som "
    "endringsloggen på /endringer. Svara er JSON med faste feltnamn; alle tider er i UTC. "
    "Svara har ETag, så ein klient kan spørje med If-None-Match og få 304 når ingenting er "
    "nytt. Sider blir henta vidare med lenkja i «next». Teksten frå utgjevarane er attgjeven "
    "under Norsk lisens for offentlege data (NLOD)."
)
WORDS = {
    "nb": {
        "title": "Helsevarsel API, versjon 1",
        "intro": INTRO_NB,
        "routes": "Adresser",
        "params": "Parametre",
        "name": "Navn",
        "where": "Hvor",
        "required": "Påkrevd",
        "type": "Type",
        "yes": "ja",
        "no": "nei",
        "answers": "Svar",
        "models": "Datamodeller",
        "field": "Felt",
        "about": "Beskrivelse",
        "schema": "Maskinlesbar beskrivelse (OpenAPI 3)",
        "staff": (
            "Adressene under /api/v1/staff/ er for redaksjonen: send en API-nøkkel laget med "
            "«notifier api token-create» som «Authorization: Bearer …»."
        ),
        "feeds": (
            "Atom-strømmer: /endringer.atom, med de samme filtrene (for eksempel "
            "?subtopic=vaksinasjon, ?region=46, ?urgent=1)."
        ),
        "other": "Se også",
    },
    "nn": {
        "title": "Helsevarsel API, versjon 1",
        "intro": INTRO_NN,
        "routes": "Adresser",
        "params": "Parametrar",
        "name": "Namn",
        "where": "Kvar",
        "required": "Påkravd",
        "type": "Type",
        "yes": "ja",
        "no": "nei",
        "answers": "Svar",
        "models": "Datamodellar",
        "field": "Felt",
        "about": "Skildring",
        "schema": "Maskinlesbar skildring (OpenAPI 3)",
        "staff": (
            "Adressene under /api/v1/staff/ er for redaksjonen: send ein API-nøkkel laga med "
            "«notifier api token-create» som «Authorization: Bearer …»."
        ),
        "feeds": (
            "Atom-straumar: /endringer.atom, med dei same filtera (til dømes "
            "?subtopic=vaksinasjon, ?region=46, ?urgent=1)."
        ),
        "other": "Sjå òg",
    },
}
STYLE = (
    "body{font-family:system-ui,Arial,sans-serif;max-width:960px;margin:0 auto;padding:1rem;"
    "color:#1a1a1a;line-height:1.5}a{color:#0b57a4}code{background:#f2f2f2;padding:0 .2em;"
    "overflow-wrap:anywhere}table{border-collapse:collapse;width:100%;margin:.5rem 0}"
    "th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}"
    "section{border-top:2px solid #ddd;margin-top:1.5rem}.m{font-weight:bold;margin-right:.5em}"
    "@media (max-width:600px){table,tbody,tr,td,th{display:block}thead{display:none}"
    "tr{border-bottom:1px solid #ddd;padding:.3rem 0}td{border:0;padding:.1rem .5rem}"
    'td[data-label]::before{content:attr(data-label) ": ";font-weight:bold}}'
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


#: JSON types and parameter places in words (bokmål, nynorsk); the exact names are in the
#: OpenAPI document
TYPE_WORDS = {
    "string": ("tekst", "tekst"),
    "integer": ("heltall", "heiltal"),
    "number": ("tall", "tal"),
    "boolean": ("sann eller usann", "sann eller usann"),
    "null": ("tom", "tom"),
    "object": ("objekt", "objekt"),
    "array": ("liste", "liste"),
    "any": ("hva som helst", "kva som helst"),
    "date-time": ("tidspunkt", "tidspunkt"),
    "date": ("dato", "dato"),
    "uri": ("adresse", "adresse"),
}
PLACE_WORDS = {
    "query": ("spørrestreng", "spørjestreng"),
    "path": ("adressen", "adressa"),
    "header": ("HTTP-hode", "HTTP-hovud"),
}


def _word(table: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    words = table.get(key)
    return key if words is None else words[1 if lang == "nn" else 0]


def _type(schema: Mapping[str, Any], lang: str = "nb") -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s, lang) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"{_word(TYPE_WORDS, 'array', lang)} [{_type(schema.get('items', {}), lang)}]"
    kind = _word(TYPE_WORDS, str(schema.get("type", "any")), lang)
    if "format" in schema:
        return f"{kind} ({_word(TYPE_WORDS, str(schema['format']), lang)})"
    return kind


def _in(item: Mapping[str, Any], key: str, lang: str) -> str:
    """``item[key]`` in ``lang``: nynorsk from ``x-<key>-nn`` when there is one."""
    if lang == "nn" and f"x-{key}-nn" in item:
        return str(item[f"x-{key}-nn"])
    return str(item.get(key, ""))


def _operation(path: str, method: str, op: Mapping[str, Any], words: Mapping[str, str]) -> str:
    e = escape
    out = [f'<section><h3><span class="m">{e(method.upper())}</span><code>{e(path)}</code></h3>']
    lang = words["lang"]
    out.append(f"<p>{e(_in(op, 'summary', lang))}</p>")
    if op.get("description"):
        out.append(f"<p>{e(' '.join(_in(op, 'description', lang).split()))}</p>")
    params = op.get("parameters", [])
    if params:
        out.append(
            f"<h4>{e(words['params'])}</h4><table><thead><tr><th>{e(words['name'])}</th>"
            f"<th>{e(words['where'])}</th><th>{e(words['required'])}</th>"
            f"<th>{e(words['type'])}</th></tr></thead><tbody>"
        )
        for p in params:
            required = words["yes"] if p.get("required") else words["no"]
            out.append(
                f"<tr><td><code>{e(str(p['name']))}</code></td>"
                f'<td data-label="{e(words["where"])}">'
                f"{e(_word(PLACE_WORDS, str(p.get('in', '')), lang))}</td>"
                f'<td data-label="{e(words["required"])}">{e(required)}</td>'
                f'<td data-label="{e(words["type"])}">'
                f"{e(_type(p.get('schema', {}), lang))}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append(f"<h4>{e(words['answers'])}</h4><ul>")
    for status, answer in op.get("responses", {}).items():
        media = answer.get("content", {}).get("application/json", {}).get("schema", {})
        model = f" <code>{e(_type(media))}</code>" if media else ""
        about = _in(answer, "description", lang)
        out.append(f"<li>{e(str(status))}: {e(about)}{model}</li>")
    out.append("</ul></section>")
    return "".join(out)


def _model(name: str, schema: Mapping[str, Any], words: Mapping[str, str]) -> str:
    e = escape
    out = [f'<section id="{e(name)}"><h3>{e(name)}</h3>']
    out.append(
        f"<table><thead><tr><th>{e(words['field'])}</th><th>{e(words['type'])}</th>"
        f"<th>{e(words['about'])}</th></tr></thead><tbody>"
    )
    for field, spec in schema.get("properties", {}).items():
        out.append(
            f"<tr><td><code>{e(str(field))}</code></td>"
            f'<td data-label="{e(words["type"])}">{e(_type(spec, words["lang"]))}</td>'
            f'<td data-label="{e(words["about"])}">{e(_in(spec, "description", words["lang"]))}'
            "</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def render(schema: Mapping[str, Any], lang: str) -> str:
    """The docs page of ``schema`` (an OpenAPI document) in ``lang`` ("nb" or "nn")."""
    words = {**WORDS[lang], "lang": lang}
    e = escape
    body = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(words['title'])}</title><style>{STYLE}</style></head><body>"
        f'<main id="main"><h1>{e(words["title"])}</h1><p>{e(words["intro"])}</p>'
        f'<p><a href="/api/v1/openapi.json">{e(words["schema"])}</a></p>'
        f"<p>{e(words['feeds'])}</p><p>{e(words['staff'])}</p>"
        f"<h2>{e(words['routes'])}</h2>"
    ]
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body.append(_operation(str(path), str(method), op, words))
    body.append(f"<h2>{e(words['models'])}</h2>")
    for name, model in sorted(schema.get("components", {}).get("schemas", {}).items()):
        body.append(_model(str(name), model, words))
    other = "?lang=nb" if lang == "nn" else "?lang=nn"
    label = "Bokmål" if lang == "nn" else "Nynorsk"
    body.append(f'<p><a href="/api/v1/docs{other}" lang="{other[-2:]}">{label}</a></p>')
    body.append("</main></body></html>")
    return "".join(body)
