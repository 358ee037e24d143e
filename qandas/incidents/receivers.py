"""What the incidents app does when the people app asks or acts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from qandas.accounts.models import Membership
from qandas.incidents.models import Assignment, Event
from qandas.people.models import Person


def assigned_people(sender: type[Person], *, membership: Membership, **kwargs: Any) -> Q:
    """A lawyer also sees the people of the episodes they are assigned to."""
    episodes = Assignment.objects.current().filter(user_id=membership.user_id)
    return Q(pk__in=episodes.values("episode__person"))


def blank_events_of_redacted_person(
    sender: type[Person], *, person: Person, by: Any, **kwargs: Any
) -> list[str]:
    """Blank the free text of events that concern only this person.

    Events shared with others (a household's raid) keep their text: it is theirs too.
    Times, kinds and places stay, so counts and patterns survive the redaction.
    """
    own = Event.objects.filter(involvements__person=person).exclude(
        pk__in=Event.objects.filter(involvements__person=person)
        .filter(involvements__person__in=Person.objects.exclude(pk=person.pk))
        .values("pk")
    )
    if not own.exists():
        return []
    own.update(notes="", source_detail="", reported_location="", asked_by="")
    return ["events.notes", "events.source_detail", "events.reported_location"]
