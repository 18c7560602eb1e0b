"""The response (and request) bodies of ``/api/v1/``: stable field names, described in
``/api/v1/openapi.json``. A field is never renamed or dropped within v1; new ones may be
added. Times are RFC 3339 in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Out):
    code: str = Field(description="stable code, e.g. subtopic_unknown")
    parameter: str = Field(description="the query parameter at fault, or empty")
    message: str = Field(description="what to do, in bokmål")
    message_nn: str = Field(description="what to do, in nynorsk")


class ErrorOut(_Out):
    error: ErrorDetail


class SourceRef(_Out):
    key: str
    name: str
    authority: str


class ChangeOut(_Out):
    id: int
    title: str
    kind: str = Field(description="new, changed, added, removed, ...")
    url: str = Field(description="the change's page on this service")
    source_url: str = Field(description="the publisher's page")
    source: SourceRef | None
    section: list[str] = Field(description="headings down to the changed section")
    summary: str
    subtopics: list[str] = Field(description="subtopic slugs, best fit first")
    regions: list[str] = Field(description="county (2 digits) and municipality (4) numbers")
    urgent: bool
    detected_at: datetime
    published_at: datetime | None = Field(description="the publisher's date, when given")


class DiffSegment(_Out):
    op: Literal["=", "-", "+"] = Field(description="kept, removed or added text")
    text: str


class ChangeDetailOut(ChangeOut):
    before: str
    after: str
    diff: list[DiffSegment]
    story_key: str | None = Field(description="changes of one story across sources share it")


class ChangePageOut(_Out):
    items: list[ChangeOut]
    next_cursor: str | None = Field(description="opaque; give it as ?cursor= for more")
    next: str | None = Field(description="the URL of the next page, when there is one")


class SourceOut(_Out):
    key: str
    name: str
    authority: str
    url: str
    kind: str
    watched: bool = Field(description="whether the source is checked")


class SubtopicOut(_Out):
    slug: str
    name_nb: str
    name_nn: str
    group: str


class CountyOut(_Out):
    code: str
    name: str


class MunicipalityOut(_Out):
    code: str
    name: str
    county: str = Field(description="the county's code")


class RegionsOut(_Out):
    counties: list[CountyOut]
    municipalities: list[MunicipalityOut]


class QueueItemOut(_Out):
    id: int
    title: str
    kind: str
    source_url: str
    source_name: str
    held_reason: str | None
    held_reason_text: str = Field(description="the reason in bokmål")
    held_at: datetime | None
    detected_at: datetime


class QueueOut(_Out):
    items: list[QueueItemOut]


class SuppressIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="why it is never sent")


class StatusOut(_Out):
    id: int
    status: str = Field(description="published, held or suppressed")
