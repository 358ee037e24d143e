"""The clocks: turn episodes that ran too long into alarms, and clear them when done.

``evaluate`` is what ``manage.py run_clocks`` runs every minute, and what every
event change runs for its people. It is safe to run from several processes at
once: an alarm row is unique per episode and rule (``Alarm.key``), so a second
process finds the row the first created; escalation and clearing are conditional
updates that only one process can win.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from qandas.incidents.derive import last_sign_of_life
from qandas.incidents.models import (
    Alarm,
    AlarmKind,
    AlarmLevel,
    ClockSettings,
    Custody,
    CustodyState,
    Episode,
    Event,
    EventKind,
)


@dataclass(frozen=True)
class Due:
    """An alarm that should be open now."""

    key: str
    kind: str
    level: str
    since: datetime
    person_id: int
    organisation_id: int
    episode_id: int | None


def due_alarms(*, now: datetime, people: Iterable[int] | None = None) -> dict[str, Due]:
    """Every alarm the rules say should be open at ``now`` (for these people, or all)."""
    settings: dict[int, ClockSettings] = {}

    def of(org_id: int) -> ClockSettings:
        if org_id not in settings:
            settings[org_id] = ClockSettings.of(org_id)
        return settings[org_id]

    due: dict[str, Due] = {}
    people = list(people) if people is not None else None

    def add(kind: str, level: str, since: datetime, episode: Episode, key: str = "") -> None:
        key = key or f"{episode.pk}:{kind}"
        due[key] = Due(
            key, kind, level, since, episode.person_id, episode.organisation_id, episode.pk
        )

    episodes = Episode.objects.open()
    if people is not None:
        episodes = episodes.filter(person__in=people)
    for episode in episodes:
        rules = of(episode.organisation_id)
        if episode.unlocated_since is not None:
            waited = now - episode.unlocated_since
            if waited >= timedelta(hours=rules.unlocated_alarm_hours):
                add(AlarmKind.UNLOCATED, AlarmLevel.ALARM, episode.unlocated_since, episode)
            elif waited >= timedelta(hours=rules.unlocated_warning_hours):
                add(AlarmKind.UNLOCATED, AlarmLevel.WARNING, episode.unlocated_since, episode)
        if (
            episode.opened_by == EventKind.ARREST
            and episode.produced_at is None
            and now - episode.opened_at >= timedelta(hours=rules.magistrate_hours)
        ):
            add(AlarmKind.MAGISTRATE, AlarmLevel.ALARM, episode.opened_at, episode)

    # Deported and not heard from: the derived state says so (see derive()). It is
    # current: ``evaluate`` refreshes it first, and ``recompute`` derives it at ``now``.
    silent = Custody.objects.filter(state=CustodyState.OUT_OF_CONTACT, episode__isnull=False)
    if people is not None:
        silent = silent.filter(person__in=people)
    for custody in silent.select_related("episode"):
        closed = custody.episode
        assert closed is not None
        since = custody.since or closed.closed_at or now
        add(AlarmKind.OUT_OF_CONTACT, AlarmLevel.ALARM, since, closed)

    hearings = (
        Event.objects.current()
        .filter(kind=EventKind.COURT_HEARING, occurred_at__gt=now)
        .filter(occurred_at__lte=now + timedelta(hours=24 * 14))
        .prefetch_related("involvements")
    )
    if people is not None:
        hearings = hearings.filter(involvements__person__in=people).distinct()
    for hearing in hearings:
        rules = of(hearing.organisation_id)
        if hearing.occurred_at - now > timedelta(hours=rules.hearing_notice_hours):
            continue
        for involvement in hearing.involvements.all():
            if people is not None and involvement.person_id not in people:
                continue
            held = Custody.objects.filter(person_id=involvement.person_id).first()
            key = f"hearing:{hearing.pk}:{involvement.person_id}"
            due[key] = Due(
                key,
                AlarmKind.HEARING,
                AlarmLevel.WARNING,
                hearing.occurred_at,
                involvement.person_id,
                hearing.organisation_id,
                held.episode_id if held else None,
            )
    return due


def _refresh_out_of_contact(*, now: datetime) -> None:
    """Deported people whose contact clock ran out become ``out_of_contact``."""
    from qandas.incidents.actions import recompute

    deported = Custody.objects.filter(state=CustodyState.DEPORTED).select_related("person")
    by_org: dict[int, timedelta] = {}
    for custody in deported:
        after = by_org.setdefault(
            custody.organisation_id, ClockSettings.of(custody.organisation_id).out_of_contact_after
        )
        if now - last_sign_of_life(custody.since or now, custody.last_contact_at) >= after:
            with transaction.atomic():
                recompute(custody.person, now=now)


def evaluate(*, now: datetime | None = None, people: Iterable[int] | None = None) -> dict[str, int]:
    """Open, escalate and clear alarms so that they match the rules at ``now``.

    Returns counts of what this call changed (for the command's output).
    """
    now = now or timezone.now()
    people = list(people) if people is not None else None
    if people is None:
        _refresh_out_of_contact(now=now)
    due = due_alarms(now=now, people=people)
    counts = {"raised": 0, "escalated": 0, "cleared": 0}

    existing = Alarm.objects.all()
    if people is not None:
        existing = existing.filter(person__in=people)
    # Only rows that are open or that are due again matter.
    existing = existing.filter(Q(cleared_at__isnull=True) | Q(key__in=list(due)))
    by_key = {alarm.key: alarm for alarm in existing}

    for key, wanted in due.items():
        alarm = by_key.get(key)
        if alarm is None:
            try:
                with transaction.atomic():
                    Alarm.objects.create(
                        key=key,
                        kind=wanted.kind,
                        level=wanted.level,
                        since=wanted.since,
                        person_id=wanted.person_id,
                        organisation_id=wanted.organisation_id,
                        episode_id=wanted.episode_id,
                        raised_at=now,
                    )
                counts["raised"] += 1
            except IntegrityError:
                pass  # another process raised it a moment ago
            continue
        if alarm.cleared_at is not None:
            # The condition came back (moved on to an unknown place again): reopen.
            counts["raised"] += Alarm.objects.filter(pk=alarm.pk, cleared_at__isnull=False).update(
                cleared_at=None, raised_at=now, level=wanted.level, since=wanted.since
            )
            continue
        if alarm.level == AlarmLevel.WARNING and wanted.level == AlarmLevel.ALARM:
            counts["escalated"] += Alarm.objects.filter(
                pk=alarm.pk, level=AlarmLevel.WARNING
            ).update(level=AlarmLevel.ALARM, escalated_at=now)
        if alarm.since != wanted.since:
            Alarm.objects.filter(pk=alarm.pk).update(since=wanted.since)

    for key, alarm in by_key.items():
        if key not in due and alarm.cleared_at is None:
            counts["cleared"] += Alarm.objects.filter(pk=alarm.pk, cleared_at__isnull=True).update(
                cleared_at=now
            )
    return counts
