"""Custody state from events: a pure function, so that any order of entry agrees.

Events are sorted by time, then by a fixed order of kinds (an arrest before a
release recorded at the same minute), then by their code; the order in which
they were typed in never matters. Retracted events are left out before this runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from qandas.incidents.models.custody import CustodyState
from qandas.incidents.models.events import EventKind, SearchAnswer
from qandas.incidents.models.places import DETENTION_KINDS

# Same-minute ties: what must logically come first comes first.
KIND_ORDER: dict[str, int] = {
    kind: i
    for i, kind in enumerate(
        [
            EventKind.RAID,
            EventKind.DISAPPEARANCE,
            EventKind.ARREST,
            EventKind.SEARCH,
            EventKind.LOCATED,
            EventKind.TRANSFER,
            EventKind.PRODUCED,
            EventKind.COURT_HEARING,
            EventKind.CONTACT,
            EventKind.BAIL,
            EventKind.RELEASE,
            EventKind.DEPORTATION,
            EventKind.REPATRIATION,
            EventKind.DEATH,
        ]
    )
}
CLOSERS: set[str] = {
    EventKind.BAIL,
    EventKind.RELEASE,
    EventKind.DEPORTATION,
    EventKind.REPATRIATION,
    EventKind.DEATH,
}
CLOSED_STATE: dict[str, str] = {
    EventKind.BAIL: CustodyState.RELEASED,
    EventKind.RELEASE: CustodyState.RELEASED,
    EventKind.DEPORTATION: CustodyState.DEPORTED,
    EventKind.REPATRIATION: CustodyState.REPATRIATED,
    EventKind.DEATH: CustodyState.DECEASED,
}


@dataclass(frozen=True)
class Fact:
    """What derivation needs to know of one event."""

    id: int
    code: str
    kind: str
    at: datetime
    place_id: int | None = None
    place_kind: str | None = None
    answer: str = ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.at, KIND_ORDER[self.kind], self.code)


@dataclass
class EpisodeFacts:
    opening_event_id: int
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None = None
    closing_event_id: int | None = None
    closed_by: str = ""
    place_id: int | None = None
    located_at: datetime | None = None
    unlocated_since: datetime | None = None
    produced_at: datetime | None = None
    searched_place_ids: list[int] = field(default_factory=list)


@dataclass
class Derived:
    state: str = CustodyState.FREE
    since: datetime | None = None
    last_contact_at: datetime | None = None
    episodes: list[EpisodeFacts] = field(default_factory=list)
    # Sentences for the person recording events: things that did not add up.
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def current(self) -> EpisodeFacts | None:
        return self.episodes[-1] if self.episodes else None


def last_sign_of_life(deported_at: datetime, heard: datetime | None) -> datetime:
    """Since when a deported person has not been heard from: the deportation, or the
    last contact after it. The out-of-contact clock runs from here."""
    return heard if heard is not None and heard > deported_at else deported_at


def derive(facts: list[Fact], *, now: datetime, out_of_contact_after: timedelta) -> Derived:
    """The person's episodes and state after these (non-retracted) events, at ``now``."""
    result = Derived()
    episode: EpisodeFacts | None = None

    def open_episode(fact: Fact, state: str) -> EpisodeFacts:
        opened = EpisodeFacts(
            opening_event_id=fact.id,
            opened_by=fact.kind,
            opened_at=fact.at,
            unlocated_since=fact.at,
        )
        result.episodes.append(opened)
        result.state, result.since = state, fact.at
        return opened

    def locate(ep: EpisodeFacts, fact: Fact) -> None:
        ep.place_id, ep.located_at, ep.unlocated_since = fact.place_id, fact.at, None
        result.state, result.since = CustodyState.DETAINED_LOCATED, fact.at

    for fact in sorted(facts, key=Fact.sort_key):
        kind = fact.kind
        if result.state == CustodyState.DECEASED:
            result.warnings.append((fact.id, "after_death"))
            continue
        if kind == EventKind.CONTACT:
            result.last_contact_at = fact.at
            continue
        if kind in (EventKind.ARREST, EventKind.DISAPPEARANCE):
            if episode is None:
                state = (
                    CustodyState.MISSING
                    if kind == EventKind.DISAPPEARANCE
                    else CustodyState.DETAINED_UNLOCATED
                )
                episode = open_episode(fact, state)
                if fact.place_kind in DETENTION_KINDS:
                    locate(episode, fact)
            else:
                result.warnings.append((fact.id, "already_in_custody"))
            continue
        if kind == EventKind.SEARCH:
            if episode is not None:
                if fact.place_id is not None and fact.place_id not in episode.searched_place_ids:
                    episode.searched_place_ids.append(fact.place_id)
                if fact.answer == SearchAnswer.CONFIRMED and fact.place_id is not None:
                    locate(episode, fact)
            continue
        if kind in (EventKind.LOCATED, EventKind.TRANSFER):
            if episode is None:
                # Found held without a recorded arrest: custody began at the latest now.
                episode = open_episode(fact, CustodyState.DETAINED_UNLOCATED)
            if fact.place_id is not None:
                locate(episode, fact)
            elif kind == EventKind.TRANSFER:
                # Moved, nobody knows where to: unlocated again.
                episode.place_id, episode.unlocated_since = None, fact.at
                result.state, result.since = CustodyState.DETAINED_UNLOCATED, fact.at
            continue
        if kind == EventKind.PRODUCED:
            if episode is None:
                result.warnings.append((fact.id, "not_in_custody"))
            elif episode.produced_at is None:
                episode.produced_at = fact.at
            continue
        if kind == EventKind.COURT_HEARING:
            continue
        if kind in CLOSERS:
            if episode is None:
                if kind in (EventKind.BAIL, EventKind.RELEASE):
                    result.warnings.append((fact.id, "not_in_custody"))
                    continue
                if kind == EventKind.DEPORTATION:
                    # Deported straight from the street happens: an episode that opens
                    # and closes at once, so the contact clock has something to run on.
                    result.warnings.append((fact.id, "deported_not_in_custody"))
                    episode = open_episode(fact, CustodyState.DEPORTED)
            if episode is not None:
                episode.closed_at, episode.closing_event_id, episode.closed_by = (
                    fact.at,
                    fact.id,
                    kind,
                )
                if kind == EventKind.DEPORTATION and fact.place_id is not None:
                    episode.place_id = fact.place_id
            episode = None
            result.state, result.since = CLOSED_STATE[kind], fact.at
            continue
        # A raid is about a household; the arrests carry the custody.

    if result.state == CustodyState.DEPORTED:
        assert result.since is not None
        last_sign = last_sign_of_life(result.since, result.last_contact_at)
        if now - last_sign >= out_of_contact_after:
            result.state, result.since = CustodyState.OUT_OF_CONTACT, last_sign
    return result
