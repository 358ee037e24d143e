"""Custody state is derived from events, whatever order they are typed in."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qandas.incidents import actions
from qandas.incidents.derive import Fact, derive
from qandas.incidents.models import Custody, Episode, Event, EventKind, EventRevision, Place
from qandas.incidents.tests.helpers import household_of, place, raid
from qandas.people.models import Person
from qandas.test import Cast

# Recording locks the person's row (select_for_update) and recovers from a repeated
# key's IntegrityError inside a savepoint: engine-dependent, so it runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def state(person: Person) -> str:
    return Custody.objects.get(person=person).state


def test_an_arrest_opens_an_episode_located_sets_where_and_release_closes_it(cast: Cast) -> None:
    now = timezone.now()
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("A",))
    person = taken.people[0]
    assert state(person) == "detained_unlocated"
    actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="search",
        place=taken.station,
        answer="denied",
        asked_by="brother",
        occurred_at=now - timedelta(hours=4),
    )
    episode = Episode.objects.get(person=person)
    assert list(episode.searched_places.all()) == [taken.station]
    assert episode.place is None
    actions.record_event(
        by=cast.lawyer,
        people=[person],
        kind="located",
        place=taken.station,
        occurred_at=now - timedelta(hours=3),
    )
    assert state(person) == "detained_located"
    actions.record_event(
        by=cast.lawyer, people=[person], kind="release", occurred_at=now - timedelta(hours=1)
    )
    episode.refresh_from_db()
    assert episode.closed_by == "release" and episode.closed_at is not None
    assert state(person) == "released"


def test_a_confirming_search_locates_the_detainee(cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=2, names=("B",))
    actions.record_event(
        by=cast.coordinator,
        people=taken.people,
        kind="search",
        place=taken.station,
        answer="confirmed",
        occurred_at=timezone.now(),
    )
    assert state(taken.people[0]) == "detained_located"


def test_an_arrest_in_the_future_is_refused_and_nothing_is_saved(cast: Cast) -> None:
    _household, people = household_of(cast.organisation, cast.karachi, ["C"])
    with pytest.raises(ValidationError) as refused:
        actions.record_event(
            by=cast.coordinator,
            people=people,
            kind="arrest",
            occurred_at=timezone.now() + timedelta(hours=2),
        )
    assert "future" in str(refused.value)
    assert not Event.objects.filter(involvements__person=people[0]).exists()


def test_a_release_before_the_arrest_is_refused_with_the_arrest_date(cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("D",))
    with pytest.raises(ValidationError) as refused:
        actions.record_event(
            by=cast.coordinator,
            people=taken.people,
            kind="release",
            occurred_at=timezone.now() - timedelta(hours=6),
        )
    assert "after this" in str(refused.value)
    assert state(taken.people[0]) == "detained_unlocated"


def test_a_deportation_of_someone_not_in_custody_is_saved_with_a_warning(cast: Cast) -> None:
    _household, people = household_of(cast.organisation, cast.peshawar, ["E"])
    chaman = place(cast.organisation, "Chaman", kind="border_crossing")
    outcome = actions.record_event(
        by=cast.admin,
        people=people,
        kind="deportation",
        place=chaman,
        occurred_at=timezone.now(),
    )
    assert outcome.created and "not recorded as in custody" in outcome.warnings[0]
    assert state(people[0]) == "deported"


def test_a_deportation_must_name_a_border_crossing(cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("F",))
    with pytest.raises(ValidationError, match="border crossing"):
        actions.record_event(
            by=cast.coordinator,
            people=taken.people,
            kind="deportation",
            place=taken.station,
            occurred_at=timezone.now(),
        )


def test_a_place_of_another_organisation_is_refused(cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("G",))
    theirs = place(cast.other_organisation, "Their station")
    with pytest.raises(ValidationError, match="organisation"):
        actions.record_event(
            by=cast.coordinator,
            people=taken.people,
            kind="located",
            place=theirs,
            occurred_at=timezone.now(),
        )


def test_the_same_arrest_twice_records_one_raid_and_one_arrest(cast: Cast) -> None:
    household, people = household_of(cast.organisation, cast.karachi, ["H", "I"])
    key = uuid.uuid4()
    kwargs = {
        "by": cast.coordinator,
        "household": household,
        "people": people,
        "occurred_at": timezone.now(),
        "place": None,
        "document_shown": "ignored",
        "idempotency_key": key,
    }
    first = actions.record_arrest(**kwargs)  # type: ignore[arg-type]
    second = actions.record_arrest(**kwargs)  # type: ignore[arg-type]
    assert first.created and not second.created
    assert Event.objects.filter(household=household).count() == 2
    assert Episode.objects.filter(person__in=people).count() == 2


def test_a_correction_keeps_the_old_values_and_a_retraction_undoes_the_state(cast: Cast) -> None:
    now = timezone.now()
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("J",))
    person = taken.people[0]
    located = actions.record_event(
        by=cast.coordinator,
        people=[person],
        kind="located",
        place=taken.station,
        occurred_at=now - timedelta(hours=1),
    ).events[0]
    other = place(cast.organisation, "Central Jail", kind="prison")
    actions.correct_event(located, by=cast.coordinator, reason="Wrong station", place=other)
    assert Episode.objects.get(person=person).place == other
    revision = EventRevision.objects.get(event=located)
    assert revision.before["place"] == str(taken.station.code)
    assert revision.reason == "Wrong station"

    assert actions.retract_event(located, by=cast.coordinator, reason="Rumour, not confirmed")
    assert not actions.retract_event(located, by=cast.coordinator, reason="again")
    assert state(person) == "detained_unlocated"
    assert Event.objects.filter(pk=located.pk).exists()  # kept, struck through
    assert EventRevision.objects.filter(event=located).count() == 2
    with pytest.raises(ValidationError):
        actions.correct_event(located, by=cast.coordinator, reason="x", kind="release")


def test_a_correction_needs_a_reason(cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("K",))
    with pytest.raises(ValidationError):
        actions.correct_event(taken.arrest, by=cast.coordinator, reason="  ")


# Any order of entry, any retractions: the same state ---------------------------------------

STORY = [
    # (kind, hours ago, place name or None)
    ("arrest", 100, None),
    ("search", 98, "Station North"),
    ("located", 90, "Station North"),
    ("produced", 80, None),
    ("transfer", 70, "Central Jail"),
    ("contact", 60, None),
    ("deportation", 50, "Torkham"),
    ("contact", 20, None),
    ("arrest", 10, None),
    ("release", 5, None),
]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.permutations(range(len(STORY))),
    retracted=st.sets(st.integers(0, len(STORY) - 1), max_size=3),
)
def test_any_order_of_entry_and_retraction_yields_the_same_state(
    cast: Cast, order: list[int], retracted: set[int]
) -> None:
    now = timezone.now()
    kinds = {"Torkham": "border_crossing", "Central Jail": "prison"}
    places = {
        name: Place.objects.get_or_create(
            organisation=cast.organisation,
            name=name,
            kind=kinds.get(name, "police_station"),
        )[0]
        for name in ("Station North", "Central Jail", "Torkham")
    }

    def enter(indexes: list[int], person: Person) -> list[Event]:
        events: dict[int, Event] = {}
        for i in indexes:
            kind, hours, where = STORY[i]
            events[i] = Event.objects.create(
                organisation=cast.organisation,
                kind=kind,
                occurred_at=now - timedelta(hours=hours),
                place=places[where] if where else None,
                answer="denied" if kind == "search" else "",
                channel="call" if kind == "contact" else "",
            )
            events[i].involvements.create(person=person)
            actions.recompute(person, now=now)
        for i in sorted(retracted):
            actions.retract_event(events[i], by=cast.coordinator, reason="test", now=now)
        return [events[i] for i in range(len(STORY))]

    def summary(person: Person) -> tuple[object, ...]:
        custody = Custody.objects.get(person=person)
        episodes = [
            (e.opened_at, e.closed_at, e.closed_by, e.place_id, e.produced_at)
            for e in Episode.objects.filter(person=person).order_by("opened_at")
        ]
        return (custody.state, custody.since, custody.last_contact_at, episodes)

    _h, (in_order, shuffled) = household_of(cast.organisation, cast.karachi, ["L", "M"])
    enter(list(range(len(STORY))), in_order)
    enter(list(order), shuffled)
    assert summary(in_order) == summary(shuffled)


# The derivation itself, without the database: many more examples, quickly.
KINDS = [k.value for k in EventKind]
facts_strategy = st.lists(
    st.builds(
        lambda i, kind, hours, place: (i, kind, hours, place),
        st.integers(0, 10**6),
        st.sampled_from(KINDS),
        st.integers(0, 400),
        st.sampled_from([None, (1, "police_station"), (2, "prison"), (3, "border_crossing")]),
    ),
    max_size=14,
    unique_by=lambda t: t[0],
)


# Pure Python (derive on facts, no database): one run, in the SQLite pass, is enough.
@pytest.mark.once
@settings(max_examples=300, deadline=None)
@given(raw=facts_strategy, data=st.data())
def test_derivation_ignores_entry_order_and_always_closes_what_it_opens(
    raw: list[tuple[int, str, int, object]], data: st.DataObject
) -> None:
    now = timezone.now()
    facts = [
        Fact(
            id=i,
            code=f"{i:08d}",
            kind=kind,
            at=now - timedelta(hours=hours),
            place_id=place[0] if place else None,  # type: ignore[index]
            place_kind=place[1] if place else None,  # type: ignore[index]
            answer="confirmed" if kind == "search" else "",
        )
        for i, kind, hours, place in raw
    ]
    shuffled = data.draw(st.permutations(facts))
    a = derive(facts, now=now, out_of_contact_after=timedelta(days=7))
    b = derive(shuffled, now=now, out_of_contact_after=timedelta(days=7))
    assert (a.state, a.since, a.last_contact_at, a.episodes) == (
        b.state,
        b.since,
        b.last_contact_at,
        b.episodes,
    )
    # Only the last episode may be open, and an open one means custody or missing.
    assert all(e.closed_at is not None for e in a.episodes[:-1])
    if a.episodes and a.episodes[-1].closed_at is None:
        assert a.state in ("detained_unlocated", "detained_located", "missing")


def test_redacting_a_person_blanks_the_text_of_their_own_events_only(cast: Cast) -> None:
    taken = raid(cast.organisation, cast.karachi, cast.coordinator, hours_ago=5, names=("R", "S"))
    alone = actions.record_event(
        by=cast.coordinator,
        people=[taken.people[0]],
        kind="contact",
        channel="call",
        reported_location="a cell behind the station",
        notes="Said he was beaten",
        occurred_at=timezone.now(),
    ).events[0]
    Event.objects.filter(pk=taken.arrest.pk).update(notes="Both taken at dawn")
    taken.people[0].redact(by=cast.coordinator)
    alone.refresh_from_db()
    taken.arrest.refresh_from_db()
    assert alone.notes == "" and alone.reported_location == ""
    assert alone.kind == "contact"  # the fact stays, for the counts
    assert taken.arrest.notes == "Both taken at dawn"  # shared with someone else
