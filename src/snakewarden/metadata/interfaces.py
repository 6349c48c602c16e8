"""Ports of the metadata checks."""

from __future__ import annotations

from typing import Protocol


class DomainChecker(Protocol):
    """Says whether a mail domain has lapsed (expired, or re-registrable by anyone).

    A lapsed author domain lets an attacker re-register it, reset the maintainer's PyPI
    password and take the project over. Answering needs DNS (no MX/A record) or WHOIS
    (expired registration), so it cannot be done offline: the default is ``NullDomainChecker``,
    which never knows; an online implementation plugs in here.
    """

    def is_lapsed(self, domain: str) -> bool | None:
        """True lapsed, False alive, None unknown."""
        ...


class NullDomainChecker:
    """Never knows (offline): lapsed-domain findings are then simply not produced."""

    def is_lapsed(self, domain: str) -> bool | None:
        return None


class InMemoryDomainChecker:
    """Answers from a fixed set of lapsed domains (tests, or a list fed by an offline job)."""

    def __init__(self, lapsed: set[str], alive: set[str] | None = None) -> None:
        self._lapsed = {d.lower() for d in lapsed}
        self._alive = {d.lower() for d in alive} if alive is not None else None

    def is_lapsed(self, domain: str) -> bool | None:
        domain = domain.lower()
        if domain in self._lapsed:
            return True
        if self._alive is None or domain in self._alive:
            return False
        return None
