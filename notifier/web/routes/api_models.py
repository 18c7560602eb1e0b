"""The response (and request) bodies of ``/api/v1/``: stable field names, described in
``/api/v1/openapi.json``. A field is never renamed or dropped within v1; new ones may be
added. Times are RFC 3339 in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def doc(nb: str, nn: str) -> dict[str, Any]:
    """A field's description in bokmål, and in nynorsk for the docs page (``x-description-nn``)."""
    return {"description": nb, "json_schema_extra": {"x-description-nn": nn}}


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Out):
    code: str = Field(
        **doc("fast kode, for eksempel subtopic_unknown", "fast kode, til dømes subtopic_unknown")
    )
    parameter: str = Field(
        **doc("parameteren som er feil, eller tom", "parameteren som er feil, eller tom")
    )
    message: str = Field(**doc("hva du kan gjøre, på bokmål", "kva du kan gjere, på bokmål"))
    message_nn: str = Field(**doc("hva du kan gjøre, på nynorsk", "kva du kan gjere, på nynorsk"))


class ErrorOut(_Out):
    error: ErrorDetail


class SourceRef(_Out):
    key: str
    name: str
    authority: str


class ChangeOut(_Out):
    id: int
    title: str
    kind: str = Field(
        **doc(
            "type endring: new, changed, added, removed, …",
            "type endring: new, changed, added, removed, …",
        )
    )
    url: str = Field(**doc("endringens side hos Helsevarsel", "sida til endringa hos Helsevarsel"))
    source_url: str = Field(**doc("utgiverens side", "sida til utgjevaren"))
    source: SourceRef | None
    section: list[str] = Field(
        **doc("overskriftene ned til den endrede delen", "overskriftene ned til den endra delen")
    )
    summary: str
    subtopics: list[str] = Field(
        **doc("undertemaer (slug), best treff først", "undertema (slug), beste treff først")
    )
    regions: list[str] = Field(
        **doc(
            "fylkesnummer (2 sifre) og kommunenummer (4)",
            "fylkesnummer (2 siffer) og kommunenummer (4)",
        )
    )
    urgent: bool
    detected_at: datetime
    published_at: datetime | None = Field(
        **doc("utgiverens dato, når den er oppgitt", "datoen til utgjevaren, når han er oppgitt")
    )


class DiffSegment(_Out):
    op: Literal["=", "-", "+"] = Field(
        **doc(
            "uendret (=), fjernet (-) eller lagt til (+)",
            "uendra (=), fjerna (-) eller lagd til (+)",
        )
    )
    text: str


class ChangeDetailOut(ChangeOut):
    before: str
    after: str
    diff: list[DiffSegment]
    story_key: str | None = Field(
        **doc(
            "felles for endringer i samme sak fra flere kilder",
            "felles for endringar i same sak frå fleire kjelder",
        )
    )


class ChangePageOut(_Out):
    items: list[ChangeOut]
    next_cursor: str | None = Field(
        **doc("markør for neste side (?cursor=)", "markør for neste side (?cursor=)")
    )
    next: str | None = Field(
        **doc(
            "adressen til neste side, når det finnes en", "adressa til neste side, når det finst ei"
        )
    )


class SourceOut(_Out):
    key: str
    name: str
    authority: str
    url: str
    kind: str
    watched: bool = Field(**doc("om kilden følges", "om kjelda blir følgd"))


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
    county: str = Field(**doc("fylkesnummeret", "fylkesnummeret"))


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
    held_reason_text: str = Field(**doc("grunnen, på bokmål", "grunnen, på bokmål"))
    held_at: datetime | None
    detected_at: datetime


class QueueOut(_Out):
    items: list[QueueItemOut]


class SuppressIn(BaseModel):
    reason: str = Field(
        min_length=1,
        max_length=1000,
        **doc("hvorfor den aldri sendes", "kvifor ho aldri blir send"),
    )

    @field_validator("reason")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        """A NUL is never typed, and PostgreSQL text cannot hold it: ``body_invalid``."""
        if "\x00" in value:
            raise ValueError("the reason contains a NUL character")
        return value


class StatusOut(_Out):
    id: int
    status: str = Field(
        **doc(
            "published (publisert), held (holdt tilbake) eller suppressed (stanset)",
            "published (publisert), held (halden tilbake) eller suppressed (stansa)",
        )
    )
