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
    }


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
        recompute(new)
