"""Custody sections for pages of the people app, shown only to those who may see custody.

The people app sits below this one and never imports it; its templates load these
tags, which check the reader's role and scope themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from qandas.incidents.models import Custody, CustodyState, Event, custody_people
from qandas.incidents.models.custody import Episode
from qandas.incidents.models.events import TimePrecision
from qandas.people.models import Person

register = template.Library()


def _may_see(context: dict[str, Any], person: Person) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cache = context.setdefault("_custody_people", {})
    if person.pk not in cache:
        cache[person.pk] = custody_people(user).filter(pk=person.pk).exists()
    return bool(cache[person.pk])


@register.inclusion_tag("incidents/_person_custody.html", takes_context=True)
def person_custody(context: dict[str, Any], person: Person) -> dict[str, Any]:
    """The person's custody state, current episode and full timeline."""
    if not _may_see(context, person):
        return {"visible": False}
    user = context["request"].user
    custody = Custody.objects.filter(person=person).select_related("episode__place").first()
    events = (
        Event.objects.filter(involvements__person=person)
        .select_related("place")
        .order_by("-occurred_at", "-pk")
    )
    return {
        "visible": True,
        "person": person,
        "custody": custody,
        "state_label": (custody.get_state_display() if custody else CustodyState.FREE.label),
        "episode": custody.episode if custody else None,
        "events": events,
        "episodes": Episode.objects.filter(person=person),
        "can_record": custody_people(user, write=True).filter(pk=person.pk).exists(),
    }


@register.simple_tag(takes_context=True)
def custody_state(context: dict[str, Any], person: Person) -> str:
    """The person's custody state in words, or nothing for readers who may not know it."""
    if not _may_see(context, person):
        return ""
    custody = Custody.objects.filter(person=person).first()
    return str(custody.get_state_display() if custody else CustodyState.FREE.label)


@register.simple_tag(takes_context=True)
def may_log_arrest(context: dict[str, Any], household: Any) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return custody_people(user, write=True).filter(household=household).exists()


# Most exact first: of two events at one moment, the more exact one says how well the
# moment is known.
EXACTNESS: list[str] = [
    TimePrecision.MINUTE,
    TimePrecision.HOUR,
    TimePrecision.DAY,
    TimePrecision.MONTH,
]


def as_known(at: datetime, precision: str) -> str:
    """``at`` in local time, no more exactly than ``precision``, wherever a time of an
    event is shown: a list says "on 2 December", and its event's 23:59 is no time of
    day."""
    local = timezone.localtime(at)
    if precision == TimePrecision.MONTH:
        return dateformat.format(local, "Y-m")
    if precision == TimePrecision.DAY:
        return dateformat.format(local, "Y-m-d")
    if precision == TimePrecision.HOUR:
        return _("about %(time)sh") % {"time": dateformat.format(local, "Y-m-d H")}
    return dateformat.format(local, "Y-m-d H:i")


def _precisions(context: dict[str, Any], person_id: int) -> dict[datetime, str]:
    """How exactly each moment of the person's (current) events is known; one query a page."""
    cache: dict[int, dict[datetime, str]] = context.setdefault("_event_precisions", {})
    if person_id not in cache:
        known: dict[datetime, str] = {}
        moments = (
            Event.objects.current()
            .filter(involvements__person_id=person_id)
            .values_list("occurred_at", "precision")
        )
        for at, precision in moments:
            if at not in known or EXACTNESS.index(precision) < EXACTNESS.index(known[at]):
                known[at] = precision
        cache[person_id] = known
    return cache[person_id]


@register.filter
def when_known(event: Event) -> str:
    """An event's time as exactly as it is known (``as_known``): the timeline's and the
    event page's "When"."""
    return as_known(event.occurred_at, event.precision)


@register.simple_tag(takes_context=True)
def moment(context: dict[str, Any], at: datetime | None, person_id: int) -> str:
    """A moment of a person's custody (since, located, last contact...), which is an
    event's time, shown as exactly as that event's time is known; to the minute when
    no current event of theirs is at that moment."""
    if at is None:
        return ""
    return as_known(at, _precisions(context, person_id).get(at, TimePrecision.MINUTE))
