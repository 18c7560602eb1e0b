"""Form reading and parsing, in one place: every posted form goes through ``read_form``, and
the sign-up and preferences forms through ``parse_form`` (validation is
``subscribers.selfservice.check_form``)."""

from __future__ import annotations

from fastapi import Request
from starlette.exceptions import HTTPException

from notifier.numbers import digits
from subscribers import selfservice as ss

#: fields of the public forms whose own rule (``subscribers.validate``: the address, the name)
#: refuses a control character, NUL included, with a message at the field
SELF_CHECKED = frozenset({"email", "name"})


async def read_form(
    request: Request, *, self_checked: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The form's text fields. A NUL in them (outside the ``self_checked`` fields) is refused
    with 400 (the Norwegian "could not be read" page, ``app._http_error``): nobody types one,
    and PostgreSQL text cannot hold it, so it would end the request in a database error."""
    data = await request.form()
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    for key, value in fields.items():
        if "\x00" in key or ("\x00" in value and key not in self_checked):
            raise HTTPException(400)
    return fields


def parse_form(data: dict[str, str], email: str = "") -> ss.SignupForm:
    choices = {
        key.removeprefix("cadence_"): value
        for key, value in data.items()
        if key.startswith("cadence_") and value
    }
    return ss.SignupForm(
        email=email or data.get("email", ""),
        name=data.get("name", ""),
        role=data.get("role", ""),
        region=data.get("region") or None,
        office=data.get("office") or None,
        language=data.get("language", "nb"),
        choices=choices,
        digest_hour=_number(data.get("digest_hour")),
        digest_weekday=_number(data.get("digest_weekday")),
        quiet_start=_number(data.get("quiet_start")),
        quiet_end=_number(data.get("quiet_end")),
    )


def _number(value: str | None) -> int | None:
    """A select's number; empty: None (the default); anything else that is no number: -1,
    which the form check refuses."""
    if not value:
        return None
    number = digits(value, 2)
    return -1 if number is None else number
