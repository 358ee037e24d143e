"""The custody board: everyone in custody, missing or out of contact, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone

from qandas.accounts.models import City, User
from qandas.audit.models import Verb
from qandas.audit.record import record
from qandas.incidents.models import (
    Acknowledgement,
    Alarm,
    AlarmLevel,
    Custody,
    CustodyState,
    Episode,
    Place,
    custody_people,
)
from qandas.incidents.models.custody import BOARD_STATES
from qandas.incidents.models.places import CUSTODY_READERS
from qandas.people.models import Person

# Within the same alarm level, these states come first.
STATE_URGENCY: dict[str, int] = {
    CustodyState.MISSING: 0,
    CustodyState.DETAINED_UNLOCATED: 1,
    CustodyState.OUT_OF_CONTACT: 2,
    CustodyState.DEPORTED: 3,
    CustodyState.DETAINED_LOCATED: 4,
}


@dataclass
class Entry:
    person: Person
    state: str
    since: datetime | None
    place: Place | None
    episode: Episode | None
    searched: list[Place] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)

    @property
    def hours(self) -> int | None:
        """Whole hours since arrest, disappearance, deportation or last contact."""
        if self.since is None:
            return None
        return int((timezone.now() - self.since).total_seconds() // 3600)

    @property
    def level(self) -> str:
        levels = {a.level for a in self.alarms}
        if AlarmLevel.ALARM in levels:
            return AlarmLevel.ALARM
        return AlarmLevel.WARNING if levels else ""

    def get_state_display(self) -> str:
        return str(CustodyState(self.state).label)

    def urgency(self) -> tuple[int, int, float]:
        ranks: dict[str, int] = {AlarmLevel.ALARM: 0, AlarmLevel.WARNING: 1}
        rank = ranks.get(self.level, 2)
        since = self.since.timestamp() if self.since else 0.0
        return (rank, STATE_URGENCY.get(self.state, 9), since)


def board(user: User, *, city: City | None = None) -> list[Entry]:
    """The board's entries for what ``user`` may see, optionally in one city."""
    people = custody_people(user)
    if city is not None:
        people = people.filter(current_city=city)
    rows = (
        Custody.objects.filter(person__in=people, state__in=BOARD_STATES)
        .select_related("episode__place", "person__current_city")
        .prefetch_related(
            "person__names",
            "episode__searched_places",
            Prefetch(
                "episode__alarms",
                queryset=Alarm.objects.open().prefetch_related(
                    Prefetch(
                        "acknowledgements",
                        queryset=Acknowledgement.objects.select_related("user"),
                    )
                ),
                to_attr="open_alarms",
            ),
        )
    )
    entries = []
    for custody in rows:
        episode = custody.episode
        since = custody.since
        if custody.state == CustodyState.DEPORTED:
            heard = custody.last_contact_at
            if heard is not None and since is not None and heard > since:
                continue  # heard from since the deportation: nobody needs to look
        if custody.state in (CustodyState.DETAINED_LOCATED, CustodyState.DETAINED_UNLOCATED):
            since = episode.opened_at if episode else since
        entries.append(
            Entry(
                person=custody.person,
                state=custody.state,
                since=since,
                place=episode.place if episode else None,
                episode=episode,
                searched=list(episode.searched_places.all()) if episode else [],
                alarms=list(getattr(episode, "open_alarms", [])) if episode else [],
            )
        )
    entries.sort(key=Entry.urgency)
    return entries


def record_board_view(request: HttpRequest, user: User) -> None:
    """The board lists detainees and where they are held: every look at it is audited,
    in each organisation whose board the user read."""
    memberships = user.scope().filter(role__in=CUSTODY_READERS).select_related("organisation")
    for membership in memberships:
        record(
            Verb.VIEW,
            actor=user,
            request=request,
            organisation=membership.organisation,
            fields=["custody_board"],
        )
