"""The exceptions of the source side.

    FeedsError
    ├── CatalogueError          the catalogue file is wrong; the message names the source and field
    ├── SelectorError           a selector from the catalogue is refused (also a ValueError)
    ├── FetchError              the source could not be fetched
    │   ├── TransientFetchError     try again later (timeouts, 429/5xx, connection loss)
    │   │   ├── HostPaused              the host asked us to wait; nothing was sent
    │   │   ├── TransientStatusError    429, 5xx, a bot challenge (``status``)
    │   │   └── RobotsUnavailable       robots.txt answered 5xx/429 or not at all
    │   └── PermanentFetchError     will not succeed as configured (4xx, refused address, too big)
    │       ├── PermanentStatusError    a 4xx that will not change by itself (``status``)
    │       ├── RobotsDisallowed        robots.txt disallows the URL for our user agent
    │       └── BlockedAddressError     the URL resolves to a private or loopback address
    │           └── UnsafeURLError          malformed: credentials, backslash, other scheme
    └── SourceProblem           fetched, but what came back is not content we can trust
                                (malformed feed, maintenance page, selector matched nothing,
                                content collapsed); the baseline is kept
        ├── ContentCollapse         most of a page's text vanished in one check
        └── FeedEmptied             a feed that had items answers with none

Every error is recorded on its source by the check orchestrator; none reaches a subscriber.
The class names are shown to staff (``notifier/source_admin.py`` explains each by its name):
keep them stable.
"""

from __future__ import annotations


class FeedsError(Exception):
    """Base of every error raised by the source side."""

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled whole (detection runs in processes of its own, feeds/detect/processes.py):
        # the default would call the class with ``args`` alone, which fails for the errors
        # that take more (``ContentCollapse``'s digest, a status) and drops their attributes.
        return (_rebuilt, (type(self), self.args, dict(self.__dict__)))


def _rebuilt(
    cls: type[FeedsError], args: tuple[object, ...], state: dict[str, object]
) -> FeedsError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class CatalogueError(FeedsError):
    """The source catalogue is malformed."""


class FetchError(FeedsError):
    """A source could not be fetched."""


class TransientFetchError(FetchError):
    """A fetch failed for a reason that may pass (timeout, 429, 5xx, connection reset)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFetchError(FetchError):
    """A fetch failed for a reason that will not pass without a change of configuration."""


class BlockedAddressError(PermanentFetchError):
    """The URL (or a redirect) points at a private, loopback or otherwise internal address."""


class UnsafeURLError(BlockedAddressError):
    """The outbound gate refuses a URL for its form: not http(s), credentials, a backslash,
    control characters, or a host that is not a valid internet host name or address."""


class HostPaused(TransientFetchError):
    """The host asked us to wait (429/503 with or without Retry-After); nothing was sent."""


class TransientStatusError(TransientFetchError):
    """The server answered a status worth retrying later (429, 5xx, a bot challenge)."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status


class PermanentStatusError(PermanentFetchError):
    """The server answered a 4xx status that will not change by itself."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RobotsDisallowed(PermanentFetchError):
    """The site's robots.txt disallows this URL for our user agent."""


class RobotsUnavailable(TransientFetchError):
    """The site's robots.txt answered 5xx/429 or not at all: the site is off limits for now."""


class SelectorError(FeedsError, ValueError):
    """A selector from the catalogue is refused; the message says why and what to write."""


class SourceProblem(FeedsError):
    """The response is not trustworthy content: the baseline is kept and no change is raised."""


class ContentCollapse(SourceProblem):
    """Most of a page's content vanished in one check. Kept as a problem the first time; when
    the same content comes back on the next check it is accepted and held for staff review."""

    def __init__(self, message: str, digest: str) -> None:
        super().__init__(message)
        self.digest = digest


class FeedEmptied(SourceProblem):
    """A feed (or a listing or change log read as one) that had items answers with none. The
    last version is kept, so nothing is announced again when the items come back, and the
    source counts as failing for as long as it stays empty: operators are told."""

    def __init__(self, message: str, before: int) -> None:
        super().__init__(message)
        self.before = before
