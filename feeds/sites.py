"""Which site an address belongs to, and the signs of a site that is not the one it looks like.

``site_of`` is an address's registrable domain ("fhi.no" of "https://www.fhi.no/x",
"oslo.kommune.no" under a second-level suffix); ``lookalike`` tells a host made to pass for a
known site's ("fhi-no.info", "helsenørge.no" as punycode); ``SPAM_WORDS`` are the words of
the link spam a hacked site carries (several languages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

#: second-level suffixes under which a site's own name is the third label from the right
#: (a short list of the common ones; Norway's municipal and county names among them)
_SECOND_LEVEL = frozenset(
    "co.uk org.uk ac.uk gov.uk com.au net.au org.au co.nz co.jp com.br com.cn"
    " kommune.no fylkeskommune.no herad.no priv.no".split()
)
#: the words of link spam: gambling, pills, quick loans, replicas, adult sites
SPAM_WORDS = re.compile(
    r"casino|kasino|viagra|cialis|levitra|slots?\b|poker|betting|bet-?online|"
    r"roulette|blackjack|jackpot|gratis ?spinn|free ?spins|forbrukslån|smålån|raske? lån|"
    r"payday|loans?\b|kredittkort uten|replik?ca|porn|xxx|escort|"
    r"apotek uten resept|utan resept|uten resept|without prescription|"
    # loans without a credit check and potency pills, in words and in host names ("lån utan
    # kredittsjekk", "lan-uten-kredittsjekk", "potensmiddel billig": blind round 102)
    r"(?:uten|utan)[ -]kredittsjekk|potensmidd?el",
    re.I,
)


def host_of(url: str) -> str:
    """The host of an absolute http(s) address, lower case, without a trailing dot; ''
    for anything else (a relative address, mailto:, an unparsable one)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https", ""):
        return ""
    if not parts.netloc:
        return ""
    return (parts.hostname or "").rstrip(".").lower()


def site_of(host: str) -> str:
    """The registrable domain of ``host``: its last two labels, three under a known
    second-level suffix (``_SECOND_LEVEL``); an IP address or a one-label host as it is."""
    labels = host.rstrip(".").lower().split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return host
    take = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL and len(labels) >= 3 else 2
    return ".".join(labels[-take:])


def _name(site: str) -> str:
    """A registrable domain's own name: its first label ("fhi" of "fhi.no")."""
    return site.split(".", 1)[0]


def _near(a: str, b: str) -> bool:
    """Whether two names of at least four letters are one edit apart (a letter swapped,
    added, dropped or replaced: "helsenorge"/"helsen0rge")."""
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def lookalike(host: str, known: Iterable[str]) -> bool:
    """Whether ``host`` is of another site than every one of the ``known`` hosts and made to
    pass for one of them: an internationalised (punycode, "xn--") name, or one whose own name
    holds a known site's name as a word ("fhi-no.info" for fhi.no) or is one letter from
    it ("helsenorqe.no"). Another authority's own site (regjeringen.no linked from
    statsforvalteren.no) is no lookalike."""
    site = site_of(host)
    sites = {site_of(k) for k in known if k}
    if not host or site in sites:
        return False
    if "xn--" in host:
        return True
    name = _name(site)
    words = set(re.split(r"[^a-z0-9]+", host))
    for other in sites:
        own = _name(other)
        if len(own) >= 3 and (own in words or _near(name, own)):
            return True
        if len(own) >= 5 and own in name.replace("-", ""):
            return True
    return False
