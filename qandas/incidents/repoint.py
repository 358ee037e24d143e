"""Moving a merged record's events and custody history to the survivor, and back on undo.

The contract is the people app's (``qandas.people.repoint``). What moves: the record's
place in events (an event that names both keeps the survivor once), its custody episodes
with their assignments and alarms (so the lawyer working on an arrest keeps working on
it), then custody is derived again for both records (``actions.recompute``).

An episode that is the survivor's too (both records were named on the arresting event)
stays behind and is derived away; its assignments move to the survivor's episode of
the same arrest, ended there when that episode already has someone in the same role.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qandas.incidents.actions import derive_for, recompute
from qandas.incidents.models import Acknowledgement, Alarm, Assignment, Episode, EventPerson
from qandas.people.models import Person
from qandas.people.repoint import Moved, RepointConflict

INVOLVEMENTS = "incidents.EventPerson"
SHARED = "incidents.EventPerson:shared"  # events that named both: the old row was removed
EPISODES = "incidents.Episode"
ASSIGNMENTS = "incidents.Assignment"  # moved to the survivor's episode of the same arrest
ENDED = "incidents.Assignment:ended"  # of those, the ones ended because the role was taken
ALARMS = "incidents.Alarm"
# Acknowledgements of the old record's alarms on an arrest both records were named on:
# [id, the alarm's kind, the arrest's event], given to the survivor's alarm of that kind
# (the old record's episode, and its alarms, are derived away) and back on undo.
ACKNOWLEDGED = "incidents.Acknowledgement:moved"
# The old record's episodes of an arrest both records were named on, which a merge
# derives away and an undo derives anew: [arrest event, episode code, [[alarm kind,
# alarm code, [[user id, acknowledged at]...]]...]], so that the undo gives them back
# their codes (links and API clients keep them) and every acknowledgement, those too
# that had no alarm to move to (their user had acknowledged the survivor's as well).
SHARED_EPISODES = "incidents.Episode:shared"


def repoint(old: Person, new: Person) -> Moved:
    """Give ``old``'s events, episodes, assignments and alarms to ``new``; derive both."""
    with transaction.atomic():
        both = set(EventPerson.objects.filter(person=new).values_list("event_id", flat=True))
        rows = list(
            EventPerson.objects.filter(person=old).order_by("pk").values_list("pk", "event_id")
        )
        involvements = [pk for pk, event in rows if event not in both]
        shared = sorted(event for _pk, event in rows if event in both)
        EventPerson.objects.filter(person=old, event_id__in=shared).delete()
        EventPerson.objects.filter(pk__in=involvements).update(person=new)

        taken = set(Episode.objects.filter(person=new).values_list("opening_event_id", flat=True))
        shared_episodes = _shared_episodes(old, taken)
        episodes = list(
            Episode.objects.filter(person=old)
            .exclude(opening_event_id__in=taken)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Episode.objects.filter(pk__in=episodes).update(person=new)
        assignments, ended = _move_assignments_of_shared_episodes(old, new)
        alarms = list(
            Alarm.objects.filter(person=old)
            .filter(Q(episode__isnull=True) | Q(episode_id__in=episodes))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Alarm.objects.filter(pk__in=alarms).update(person=new)
        acknowledged = _move_acknowledgements_of_shared_episodes(old, new, taken)

        _refuse_to_lose_assignments(new)
        recompute(new)
        recompute(old)
    return {
        INVOLVEMENTS: involvements,
        SHARED: shared,
        EPISODES: episodes,
        ASSIGNMENTS: assignments,
        ENDED: ended,
        ALARMS: alarms,
        ACKNOWLEDGED: acknowledged,
        SHARED_EPISODES: shared_episodes,
    }


def recorded_since(person: Person, since: datetime) -> int:
    """How many events naming ``person`` were recorded after ``since`` (not retracted):
    those recorded on a record kept by a merge stay on it when the merge is undone."""
    return (
        EventPerson.objects.filter(
            person=person, event__created_at__gt=since, event__retracted_at__isnull=True
        )
        .values("event_id")
        .distinct()
        .count()
    )


def _shared_episodes(old: Person, taken: set[int]) -> list[list[Any]]:
    """``SHARED_EPISODES``: what the old record's episodes of the arrests in ``taken``
    were, before a merge derives them away."""
    kept: list[list[Any]] = []
    for episode in Episode.objects.filter(person=old, opening_event_id__in=taken).order_by("pk"):
        alarms = [
            [
                alarm.kind,
                str(alarm.code),
                [
                    [ack.user_id, ack.at.isoformat()]
                    for ack in Acknowledgement.objects.filter(alarm=alarm).order_by("pk")
                ],
            ]
            for alarm in Alarm.objects.filter(episode=episode).order_by("pk")
        ]
        kept.append([episode.opening_event_id, str(episode.code), alarms])
    return kept


def _give_back_shared_episodes(old: Person, kept: list[list[Any]]) -> None:
    """The old record's episodes derived anew on undo, and their alarms, take back the
    codes they had (``SHARED_EPISODES``), and every acknowledgement comes back."""
    for opening, code, alarms in kept:
        episode = Episode.objects.filter(person=old, opening_event_id=opening).first()
        if episode is None:
            continue
        if not Episode.objects.filter(code=code).exists():
            Episode.objects.filter(pk=episode.pk).update(code=code)
        for kind, alarm_code, acknowledged in alarms:
            alarm = Alarm.objects.filter(episode=episode, kind=kind).order_by("pk").first()
            if alarm is None:
                continue
            if not Alarm.objects.filter(code=alarm_code).exists():
                Alarm.objects.filter(pk=alarm.pk).update(code=alarm_code)
            for user_id, at in acknowledged:
                if not _acknowledged(alarm, user_id):
                    Acknowledgement.objects.create(
                        alarm=alarm, user_id=user_id, at=datetime.fromisoformat(at)
                    )


def _acknowledged(alarm: Alarm, user_id: int) -> bool:
    return Acknowledgement.objects.filter(alarm=alarm, user_id=user_id).exists()


def _move_acknowledgements_of_shared_episodes(
    old: Person, new: Person, taken: set[int]
) -> list[list[int | str]]:
    """Someone who acknowledged the old record's alarm on an arrest both records were
    named on has acknowledged the survivor's alarm of that kind on it: their
    acknowledgement moves there (the old record's episode and its alarms are derived
    away with it), unless they acknowledged that one too. Undoing a merge then showed a
    handled alarm as raised anew, "Nobody has acknowledged it"."""
    moved: list[list[int | str]] = []
    for ack in (
        Acknowledgement.objects.filter(
            alarm__person=old, alarm__episode__opening_event_id__in=taken
        )
        .select_related("alarm__episode")
        .order_by("pk")
    ):
        alarm = ack.alarm
        assert alarm.episode is not None  # filtered on its episode
        opening = alarm.episode.opening_event_id
        target = Alarm.objects.filter(
            person=new, episode__opening_event_id=opening, kind=alarm.kind
        ).first()
        if target is None or _acknowledged(target, ack.user_id):
            continue
        Acknowledgement.objects.filter(pk=ack.pk).update(alarm=target)
        moved.append([ack.pk, alarm.kind, opening])
    return moved


def _move_assignments_of_shared_episodes(old: Person, new: Person) -> tuple[list[int], list[int]]:
    moved, ended = [], []
    now = timezone.now()
    for assignment in (
        Assignment.objects.filter(episode__person=old).select_related("episode").order_by("pk")
    ):
        target = Episode.objects.get(
            person=new, opening_event_id=assignment.episode.opening_event_id
        )
        if (
            assignment.ended_at is None
            and Assignment.objects.current().filter(episode=target, role=assignment.role).exists()
        ):
            assignment.ended_at = now
            ended.append(assignment.pk)
        assignment.episode = target
        assignment.save(update_fields=["episode", "ended_at"])
        moved.append(assignment.pk)
    return moved, ended


def _refuse_to_lose_assignments(person: Person) -> None:
    """Deriving custody again deletes episodes the merged timeline no longer opens; one
    with someone assigned to it would take the assignment with it. Refuse instead."""
    kept = {facts.opening_event_id for facts in derive_for(person).episodes}
    if (
        Assignment.objects.filter(episode__person=person)
        .exclude(episode__opening_event_id__in=kept)
        .exists()
    ):
        raise RepointConflict(
            _(
                "The two custody histories overlap: one arrest would disappear into the "
                "other, with the lawyer assigned to it. Correct or retract the events first."
            )
        )


def restore(old: Person, new: Person, moved: Moved) -> None:
    """Move back exactly what ``repoint`` moved, and derive custody for both again."""
    with transaction.atomic():
        EventPerson.objects.filter(pk__in=moved.get(INVOLVEMENTS, []), person=new).update(
            person=old
        )
        EventPerson.objects.bulk_create(
            [EventPerson(event_id=event, person=old) for event in moved.get(SHARED, [])],
            ignore_conflicts=True,
        )
        Episode.objects.filter(pk__in=moved.get(EPISODES, []), person=new).update(person=old)
        Alarm.objects.filter(pk__in=moved.get(ALARMS, []), person=new).update(person=old)
        recompute(old)  # opens again the episodes ``old`` shared with ``new``
        for pk, kind, opening in moved.get(ACKNOWLEDGED, []):
            back_to = Alarm.objects.filter(
                person=old, episode__opening_event_id=opening, kind=kind
            ).first()
            ack = Acknowledgement.objects.filter(pk=pk).first()
            if back_to is not None and ack is not None and not _acknowledged(back_to, ack.user_id):
                Acknowledgement.objects.filter(pk=pk).update(alarm=back_to)
        ended = set(moved.get(ENDED, []))
        for assignment in Assignment.objects.filter(
            pk__in=moved.get(ASSIGNMENTS, [])
        ).select_related("episode"):
            home = Episode.objects.filter(
                person=old, opening_event_id=assignment.episode.opening_event_id
            ).first()
            if home is None:
                continue
            assignment.episode = home
            if assignment.pk in ended:
                assignment.ended_at = None
            assignment.save(update_fields=["episode", "ended_at"])
        _give_back_shared_episodes(old, moved.get(SHARED_EPISODES, []))
        recompute(new)
