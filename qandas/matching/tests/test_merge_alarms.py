"""A merge of two records named on one arrest keeps who acknowledged its alarms."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from qandas.incidents import actions
from qandas.incidents.clocks import evaluate
from qandas.incidents.models import Acknowledgement, Alarm
from qandas.matching import duplicates
from qandas.people.models import Person
from qandas.test import Cast

from .test_duplicates import person

pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def arrested_together(
    cast: Cast, name: str, other: str, born: int, now: datetime.datetime | None = None
) -> tuple[Person, Person]:
    """Two records of one man, both named on one arrest 30 hours ago, their alarms raised."""
    now = now or timezone.now()
    kept = person(cast, [name], born=born)
    twin = person(cast, [other], born=born)
    actions.record_event(
        by=cast.coordinator,
        people=[kept, twin],
        kind="arrest",
        occurred_at=now - datetime.timedelta(hours=30),
    )
    evaluate(now=now)
    return kept, twin


def test_an_acknowledgement_follows_the_arrest_through_merge_and_undo(cast: Cast) -> None:
    """The merged record's episode of the shared arrest is derived away with its
    alarms: the lawyer's acknowledgement went with them, and the undo raised the alarm
    again as "Nobody has acknowledged it"."""
    kept, twin = arrested_together(cast, "Ruslan Saparbekov", "Руслан Сапарбеков", 1980)
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


def test_undo_gives_back_the_episode_and_alarm_codes_and_every_acknowledgement(
    cast: Cast,
) -> None:
    """Someone who acknowledged both records' alarms of the shared arrest had nothing
    to move theirs to: the merge derived it away and the undo lost it. The merged
    record's episode and alarm came back with new codes, so their pages answered 404."""
    from qandas.incidents.models import Episode

    now = timezone.now()
    kept, twin = arrested_together(cast, "Nurzhan Abilkasymov", "Нуржан Әбілқасымов", 1979, now)
    ours = Alarm.objects.get(person=kept, kind="unlocated")
    theirs = Alarm.objects.get(person=twin, kind="unlocated")
    at = now - datetime.timedelta(hours=1)
    Acknowledgement.objects.create(alarm=ours, user=cast.coordinator)
    Acknowledgement.objects.create(alarm=theirs, user=cast.coordinator, at=at)
    Acknowledgement.objects.create(alarm=theirs, user=cast.lawyer)
    episode_code = Episode.objects.get(person=twin).code

    done = duplicates.merge(kept, twin, by=cast.coordinator)
    assert not Episode.objects.filter(code=episode_code).exists()
    duplicates.undo(done, by=cast.coordinator)

    back = Alarm.objects.get(person=twin, kind="unlocated")
    assert back.code == theirs.code and back.episode is not None
    assert back.episode.code == episode_code and back.episode.person == twin
    who = {(a.user_id, a.at) for a in Acknowledgement.objects.filter(alarm=back)}
    assert (cast.coordinator.pk, at) in who and cast.lawyer.pk in {user for user, _at in who}
    assert Acknowledgement.objects.filter(alarm=ours, user=cast.coordinator).exists()


def test_undo_says_which_events_recorded_since_the_merge_stay_on_the_record_kept(
    client: Client, cast: Cast
) -> None:
    """A release recorded on the record kept while merged stays there after the undo;
    the other came back detained, and the page said both were back as they were."""
    now = timezone.now()
    kept = person(cast, ["Daulet Ospanov"], born=1985)
    twin = person(cast, ["Даулет Оспанов"], born=1985)
    actions.record_event(
        by=cast.coordinator,
        people=[twin],
        kind="arrest",
        occurred_at=now - datetime.timedelta(days=3),
    )
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    actions.record_event(by=cast.coordinator, people=[kept], kind="release", occurred_at=now)
    client.force_login(cast.coordinator)
    # Said before the undo, on the page that asks to confirm it, and after it.
    url = f"/duplicates/merges/{done.code}/undo/"
    asked = client.get(url).content.decode()
    assert "What the undo will not take back" in asked and "Undo the merge" in asked
    assert "1 event was recorded on Daulet Ospanov since the merge" in asked
    assert f'href="{url}"' in client.get("/duplicates/merges/").content.decode()
    page = client.post(url, follow=True).content.decode()
    assert "back as they were" not in page
    assert "1 event was recorded on Daulet Ospanov since the merge" in page
    # Nothing recorded since: the undo says so.
    again = duplicates.merge(kept, twin, by=cast.coordinator)
    page = client.post(f"/duplicates/merges/{again.code}/undo/", follow=True).content.decode()
    assert "both records are back as they were" in page
