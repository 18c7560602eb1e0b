"""The detection corpus (tests/fixtures/detect/<case>/): load a case, run it through the pure
detection, and say what was reported in the form expected.json uses. Shared by the corpus test
and ``bench.detect``.

expected.json::

    {"source": {"kind": "page", "selector": "main", ...},   # SourceSpec fields
     "steps": ["before.html", "after.html"],                  # optional; the default
                                                              # (paths relative to the case)
     "headers": {"after.html": {"cf-mitigated": "challenge"}},# optional, per step
     "parts": {"after.html": [{"url": ..., "title": ..., "file": "ch1.html" | null}]},
     "accept_collapse": false,                                # re-run a collapse as confirmed
     "signal": "2024-05-05",                                  # optional: expected page date
     "expect": {"outcome": "changes" | "none" | "problem",
                "changes": [[kind, [section path ...]], ...], "held": false,
                "published": "2021-04-01", "problems": 0}}

Only the last step is judged; the earlier ones build the state (a flip-back, a reappearing
item).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.catalogue import SourceSpec
from feeds.detect.detection import Detection, detect
from feeds.errors import ContentCollapse, SourceProblem
from feeds.store.snapshot import state_from_blob, state_to_blob
from feeds.types import FetchResult, Link, Linked, SnapshotState

CORPUS = Path(__file__).parent.parent / "fixtures" / "detect"
URL = "https://www.example.no/side"


@dataclass(frozen=True)
class Outcome:
    outcome: str  # changes | none | problem
    changes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    held: bool = False
    problems: int = 0
    published: str | None = None
    signal: str | None = None


def cases() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").exists())


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / name / "expected.json").read_text("utf-8"))
    return data


def expected(name: str) -> Outcome:
    e = load(name)["expect"]
    return Outcome(
        e["outcome"],
        tuple((k, tuple(p)) for k, p in e.get("changes", [])),
        e.get("held", False),
        e.get("problems", 0),
        e.get("published"),
        load(name).get("signal"),
    )


def spec_of(data: dict[str, Any]) -> SourceSpec:
    src = data["source"]
    return SourceSpec(
        key="corpus",
        kind=src["kind"],
        url=URL,
        authority="test",
        name="Korpus",
        selector=src.get("selector"),
        drop=tuple(src.get("drop", ())),
        noise=tuple(src.get("noise", ())),
        link_selector=src.get("link_selector"),
        link_pattern=src.get("link_pattern"),
        follow_pdfs=src.get("follow_pdfs", False),
    )


def run(name: str) -> Outcome:
    """Every step of a case through ``detect``; what the last step reported."""
    data = load(name)
    spec = spec_of(data)
    default = ["before.xml", "after.xml"] if spec.kind == "feed" else ["before.html", "after.html"]
    steps: list[str] = data.get("steps", default)
    state: SnapshotState | None = None
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        try:
            detection = _detect(name, data, spec, step, state)
        except SourceProblem:
            if not last:
                continue  # as a check does: the problem is recorded, the last version kept
            return Outcome("problem")
        if detection.state is not None and (
            detection.changes or detection.baseline or detection.refresh
        ):
            # through the stored form, as a check reads it back (and reuses its sections)
            state = state_from_blob(state_to_blob(detection.state))
        if last:
            return _outcome(detection)
    raise AssertionError(f"{name}: no steps")


def _detect(
    name: str, data: dict[str, Any], spec: SourceSpec, step: str, state: SnapshotState | None
) -> Detection:
    result = _result(name, data, step)
    linked = _linked(name, data, step)
    try:
        return detect(spec, result, state, linked=linked)
    except ContentCollapse as exc:
        if not data.get("accept_collapse"):
            raise
        return detect(spec, result, state, accept_collapse=exc.digest, linked=linked)


def _result(name: str, data: dict[str, Any], step: str) -> FetchResult:
    headers = data.get("headers", {}).get(step, {})
    return FetchResult(URL, 200, (CORPUS / name / step).read_bytes(), headers)


def _linked(name: str, data: dict[str, Any], step: str) -> list[Linked]:
    out = []
    for part in data.get("parts", {}).get(step, []):
        link = Link(part["url"], part["title"])
        if part["file"] is None:
            out.append(Linked(link, problem="HTTP 503"))
        else:
            body = (CORPUS / name / part["file"]).read_bytes()
            out.append(Linked(link, FetchResult(part["url"], 200, body)))
    return out


def _outcome(d: Detection) -> Outcome:
    changes = tuple((c.kind, c.section) for c in d.changes)
    published = next((c.published for c in d.changes if c.published), None)
    signal = d.state.page.updated if d.state and d.state.page else None
    return Outcome(
        "changes" if changes else "none",
        changes,
        d.held,
        len(d.problems),
        published.date().isoformat() if published else None,
        signal,
    )
