"""A merge of two records named on one arrest keeps who acknowledged its alarms."""

import datetime

import pytest
from django.utils import timezone

from qandas.incidents import actions
from qandas.incidents.clocks import evaluate
from qandas.incidents.models import Acknowledgement, Alarm
from qandas.matching import duplicates
from qandas.test import Cast

from .test_duplicates import person

pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def test_an_acknowledgement_follows_the_arrest_through_merge_and_undo(cast: Cast) -> None:
    """The merged record's episode of the shared arrest is derived away with its
    alarms: the lawyer's acknowledgement went with them, and the undo raised the alarm
    again as "Nobody has acknowledged it"."""
    now = timezone.now()
    kept = person(cast, ["Ruslan Saparbekov"], born=1980)
    twin = person(cast, ["Руслан Сапарбеков"], born=1980)
    actions.record_event(
        by=cast.coordinator,
        people=[kept, twin],
        kind="arrest",
        occurred_at=now - datetime.timedelta(hours=30),
    )
    evaluate(now=now)
    theirs = Alarm.objects.get(person=twin, kind="unlocated")
    assert Alarm.objects.filter(person=kept, kind="unlocated").exists()
    Acknowledgement.objects.create(alarm=theirs, user=cast.lawyer)

    done = duplicates.merge(kept, twin, by=cast.coordinator)
    (ack,) = Acknowledgement.objects.filter(user=cast.lawyer)
    assert ack.alarm.person == kept and ack.alarm.kind == "unlocated"

    duplicates.undo(done, by=cast.coordinator)
    (ack,) = Acknowledgement.objects.filter(user=cast.lawyer)
    assert ack.alarm.person == twin and ack.alarm.kind == "unlocated" and ack.alarm.is_open
    assert not Acknowledgement.objects.filter(alarm__person=kept).exists()
