"""``manage.py demo``: what it loads, that a second run adds nothing, and that the pages open.

Every check here only reads the demo, so they share one load (the ``demo`` fixture in
``conftest.py``: the demo run twice, first with DEBUG on, then off).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from qandas.accounts.demo import DEMO_PASSWORD
from qandas.accounts.models import Membership, Organisation, User
from qandas.applications.models import Application, Authority, Batch, Official, Status, StatusChange
from qandas.correspondence import demo as correspondence_demo
from qandas.correspondence.exports import batch_rows
from qandas.correspondence.models import Letter, Promise, PromiseState, Slip
from qandas.documents.models import Document, DocumentKind
from qandas.incidents.board import board
from qandas.incidents.models import (
    Alarm,
    AlarmKind,
    AlarmLevel,
    Custody,
    CustodyState,
    DutyRota,
    Episode,
    Event,
    Place,
    PlaceKind,
)
from qandas.lib.scripts import ARABIC, CYRILLIC, detect_script
from qandas.matching import demo as matching_demo
from qandas.matching.duplicates import likely_duplicates
from qandas.matching.models import ListKind, ListRow, ListUpload
from qandas.people.models import Household, Name, Person
from qandas.tests.conftest import Demo

# The demo is loaded by bin/run on SQLite; its tests run in that pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.once]

# Names from the news report the scenario comes from: never in the demo.
ARTICLE_NAMES = [
    "Latifi",
    "Latif",
    "Hameed",
    "Shamshi",
    "Kystafin",
    "Jorabai",
    "Islamuddin",
    "Zhumamurat",
    "Yerzhan",
    "Saifullah",
    "Nurtleu",
    "Ullah",
    "Orda",
]


@dataclass
class Loaded:
    """The demo's records the checks below start from."""

    organisation: Organisation
    admin: User
    batch: Batch
    police: ListUpload
    embassy: ListUpload
    private: Path  # the demo's private store (each test gets its own, empty, one)
    first: dict[str, int]
    second: dict[str, int]


@pytest.fixture
def loaded(demo: Demo) -> Loaded:
    return Loaded(
        Organisation.objects.get(slug="steppe-bridge"),
        User.objects.get(username="admin"),
        Batch.objects.get(code=correspondence_demo.key(correspondence_demo.LOADED_MARK)),
        ListUpload.objects.get(code=matching_demo.key(matching_demo.POLICE_LIST)),
        ListUpload.objects.get(code=matching_demo.key(matching_demo.EMBASSY_LIST)),
        demo.private,
        demo.first,
        demo.second,
    )


def named(latin: str) -> Person:
    return Person.objects.get(names__text=latin)


def best(row: ListRow) -> int | None:
    return row.candidates[0]["person"] if row.candidates else None


def test_a_second_demo_adds_nothing(loaded: Loaded) -> None:
    assert loaded.second == loaded.first
    assert loaded.first["events"] > 20
    assert loaded.first["batches"] == 1


# --- Organisations and users ---------------------------------------------------------


def test_demo_is_idempotent_and_prints_how_to_sign_in(demo: Demo) -> None:
    assert User.objects.count() == 8
    assert Organisation.objects.count() == 2
    assert Membership.objects.count() == 8
    assert DEMO_PASSWORD in demo.first_output
    assert "/accounts/login/" in demo.first_output
    roles = {m.user.username: (m.role, m.organisation.slug) for m in Membership.objects.all()}
    assert roles["karachi"] == ("coordinator", "steppe-bridge")
    assert roles["lawyer"][0] == "lawyer"
    assert roles["outsider"] == ("coordinator", "harbour-aid")
    assert [c.slug for c in Membership.objects.get(user__username="quetta").cities.all()] == [
        "quetta"
    ]
    assert sorted(c.slug for c in Membership.objects.get(user__username="admin").cities.all()) == [
        "karachi",
        "peshawar",
        "quetta",
    ]
    # The first run had DEBUG on: the password it printed opens the account.
    assert check_password(DEMO_PASSWORD, demo.first_passwords["liaison"])
    assert not Organisation.objects.filter(require_two_factor=True).exists()


def test_without_debug_the_demo_sets_no_password(demo: Demo) -> None:
    # The second run had DEBUG off: it printed no password and took the first one away.
    assert DEMO_PASSWORD not in demo.second_output
    assert not User.objects.get(username="admin").has_usable_password()


# --- People and documents -------------------------------------------------------------


def test_demo_adds_households_and_people_in_three_scripts_once(demo: Demo) -> None:
    people, households = demo.first["people"], demo.first["households"]
    assert households >= 40 and people >= 150
    cities = Counter(Person.objects.values_list("current_city__slug", flat=True))
    assert set(cities) == {"karachi", "quetta", "peshawar"}
    scripts = Counter(Name.objects.values_list("script", flat=True))
    assert scripts["latin"] > 100 and scripts["cyrillic"] > 50 and scripts["arabic"] > 30
    both = Person.objects.filter(names__script="cyrillic").filter(names__script="latin")
    assert both.distinct().count() > people // 2
    assert (Person.objects.count(), Household.objects.count()) == (people, households)


def test_demo_documents_cover_every_kind_and_some_are_expired(demo: Demo) -> None:
    kinds = set(Document.objects.values_list("kind", flat=True))
    assert kinds == {kind.value for kind in DocumentKind}
    assert Document.objects.expired().exists()
    assert Document.objects.exclude(pk__in=Document.objects.expired()).exists()


# --- Custody: places, every kind of alarm right after the demo ---------------------------


def test_places_cover_three_cities_and_both_crossings(loaded: Loaded) -> None:
    places = Place.objects.filter(organisation=loaded.organisation)
    crossings = places.filter(kind=PlaceKind.BORDER_CROSSING).values_list("name", flat=True)
    assert any("Torkham" in name for name in crossings)
    assert any("Chaman" in name for name in crossings)
    for kind in (PlaceKind.POLICE_STATION, PlaceKind.COURT):
        cities = set(places.filter(kind=kind).values_list("city__slug", flat=True))
        assert cities == {"karachi", "quetta", "peshawar"}, kind


def test_every_kind_of_alarm_is_open_right_after_demo(loaded: Loaded) -> None:
    open_alarms = Alarm.objects.open().filter(organisation=loaded.organisation)
    found = set(open_alarms.values_list("kind", "level"))
    assert found == {
        (AlarmKind.UNLOCATED, AlarmLevel.ALARM),
        (AlarmKind.UNLOCATED, AlarmLevel.WARNING),
        (AlarmKind.MAGISTRATE, AlarmLevel.ALARM),
        (AlarmKind.OUT_OF_CONTACT, AlarmLevel.ALARM),
        (AlarmKind.HEARING, AlarmLevel.WARNING),
    }
    taken = {named(n).pk for n in ["Ruslan Saparbekov", "Azamat Saparbekov", "Dauren Mukashev"]}
    magistrate = set(open_alarms.filter(kind=AlarmKind.MAGISTRATE).values_list("person", flat=True))
    assert magistrate == taken
    unlocated = open_alarms.filter(kind=AlarmKind.UNLOCATED, level=AlarmLevel.ALARM)
    assert set(unlocated.values_list("person", flat=True)) == taken | {named("Galym Tursynov").pk}
    assert Custody.objects.get(person=named("Galym Tursynov")).state == CustodyState.MISSING


def test_exactly_the_two_deported_through_torkham_are_out_of_contact(loaded: Loaded) -> None:
    brothers = {named("Nurbol Amanbayev").pk, named("Zhandos Amanbayev").pk}
    alarmed = Alarm.objects.open().filter(kind=AlarmKind.OUT_OF_CONTACT)
    assert set(alarmed.values_list("person", flat=True)) == brothers
    out = Custody.objects.filter(state=CustodyState.OUT_OF_CONTACT)
    assert set(out.values_list("person", flat=True)) == brothers
    for pk in brothers:
        episode = Episode.objects.get(person_id=pk)
        assert episode.place is not None and "Torkham" in episode.place.name
    # Deported through Chaman, but he called: deported, not out of contact.
    assert Custody.objects.get(person=named("Bakhyt Zhunusov")).state == CustodyState.DEPORTED


def test_the_board_lists_them_most_urgent_first(loaded: Loaded) -> None:
    entries = board(loaded.admin)
    listed = [entry.person.primary_name for entry in entries]
    assert listed[0] == "Galym Tursynov"  # missing, with an alarm
    assert set(listed) == {
        "Galym Tursynov",
        "Ruslan Saparbekov",
        "Azamat Saparbekov",
        "Dauren Mukashev",
        "Nurbol Amanbayev",
        "Zhandos Amanbayev",
        "Talgat Seitkaliev",
        "Samat Iskakov",
    }
    assert [entry.urgency() for entry in entries] == sorted(entry.urgency() for entry in entries)
    assert [entry.level for entry in entries][-2:] == [AlarmLevel.WARNING, AlarmLevel.WARNING]
    # The released man and the deported man who called are not on the board.
    assert "Almas Kudaibergenov" not in listed and "Bakhyt Zhunusov" not in listed
    lawyer = User.objects.get(username="lawyer")
    raided = [e for e in entries if e.person.primary_name.endswith("Saparbekov")]
    for entry in raided:
        assert entry.episode is not None
        assert entry.episode.assignments.current().get().user == lawyer
        assert len(entry.searched) == 3


def test_lawyer_is_on_duty_in_every_city_for_a_week(loaded: Loaded) -> None:
    rota = DutyRota.objects.filter(organisation=loaded.organisation)
    assert rota.count() == 21
    assert set(rota.values_list("lawyer__username", flat=True)) == {"lawyer"}


def test_no_news_report_name_in_people_places_or_events(loaded: Loaded) -> None:
    pattern = re.compile("|".join(ARTICLE_NAMES), re.IGNORECASE)
    texts = [
        *Name.objects.values_list("text", flat=True),
        *Person.objects.values_list("father_name", flat=True),
        *Place.objects.values_list("name", flat=True),
        *Household.objects.values_list("area", flat=True),
    ]
    for event in Event.objects.all():
        texts += [event.notes, event.asked_by, event.reported_location, event.source_detail]
    assert [text for text in texts if pattern.search(text)] == []


# --- Correspondence: a batch sent for consideration, and promises broken ----------------


def test_the_batch_was_sent_for_consideration_with_history(loaded: Loaded) -> None:
    batch = loaded.batch
    assert batch.organisation == loaded.organisation
    assert batch.name.startswith("Requests of ")
    assert "from Karachi, Quetta and Peshawar, sent for consideration in" in batch.name
    applications = list(batch.applications.all())
    assert applications
    assert {a.status for a in applications} == {Status.SENT_FOR_CONSIDERATION}
    assert {a.kind for a in applications} == {"verification"}
    assert batch.applications.filter(household__isnull=False).exists()
    assert batch.applications.filter(person__isnull=False).exists()
    for application in applications:
        moves = [(c.old, c.new, c.by.username) for c in application.history.all()]
        assert moves == [
            ("draft", "submitted", "liaison"),
            ("submitted", "processed", "liaison"),
            ("processed", "sent_for_consideration", "liaison"),
        ]
    rows = batch_rows(batch)
    assert 40 <= len(rows) <= 60
    assert f"Requests of {len(rows)} people" in batch.name
    cities = set(
        Person.objects.filter(
            Q(applications__batch=batch) | Q(household__applications__batch=batch)
        ).values_list("current_city__slug", flat=True)
    )
    assert cities == {"karachi", "quetta", "peshawar"}
    history = StatusChange.objects.filter(application__batch=batch, new="sent_for_consideration")
    assert {c.at.date() for c in history} == {batch.sent_on}


def test_the_ministers_promise_is_broken_with_one_slip(loaded: Loaded) -> None:
    today = timezone.localdate()
    promise = Promise.objects.get(code=correspondence_demo.key("promise-next-month"))
    assert promise.state == PromiseState.BROKEN
    assert promise.slip_count == 1
    slip = promise.slips.get()
    assert slip.old_due_on < slip.new_due_on < today
    assert slip.letter is not None and slip.letter.reply_to == promise.letter
    assert promise.official is not None and promise.official.until_on is not None
    assert promise.official.until_on < today  # the predecessor promised
    current = Official.objects.in_office().get(post=correspondence_demo.FOREIGN_MINISTER)
    assert slip.letter.official == current
    # (thread() from the root: from a reply it currently loses the letters in between.)
    thread = Letter.objects.get(code=correspondence_demo.key("letter-to-minister")).thread()
    assert [letter.direction for letter in thread] == ["out", "in", "in"]
    embassy = Promise.objects.get(code=correspondence_demo.key("promise-embassy"))
    assert embassy.state == PromiseState.PROMISED
    assert embassy.due_precision == "month" and embassy.due_on > today
    assert loaded.batch in embassy.batches.all()


def test_other_applications_are_refused_approved_and_overdue(loaded: Loaded) -> None:
    others = Application.objects.filter(organisation=loaded.organisation, batch__isnull=True)
    assert {a.status for a in others} >= {Status.REFUSED, Status.APPROVED}
    assert others.overdue().exists()


def test_no_news_report_name_in_the_correspondence(loaded: Loaded) -> None:
    texts = [
        *Authority.objects.values_list("name", flat=True),
        *Official.objects.values_list("name", flat=True),
        *Batch.objects.values_list("name", flat=True),
        *Promise.objects.values_list("quote", flat=True),
        *Slip.objects.values_list("quote", flat=True),
        *Application.objects.values_list("reference", flat=True),
    ]
    for letter in Letter.objects.all():
        texts += [letter.subject, letter.text, letter.sender]
    for text in texts:
        for name in ARTICLE_NAMES:
            assert name.lower() not in text.lower(), (name, text)


# --- Matching: the lists (scenario step 9) and the duplicate pair ------------------------


def test_both_lists_are_stored_and_matched_with_rows_to_review(loaded: Loaded) -> None:
    assert (loaded.police.kind, loaded.embassy.kind) == (ListKind.POLICE, ListKind.EMBASSY)
    assert loaded.police.place is not None and loaded.police.place.name == matching_demo.STATION
    for upload in (loaded.police, loaded.embassy):
        assert (loaded.private / upload.storage_name).is_file()
        rows = list(upload.rows.all())
        assert len(rows) == 5
        assert {row.state for row in rows} == {"pending"}
    # Every police row but the local man's has candidates; his has none.
    assert [bool(row.candidates) for row in loaded.police.rows.all()] == [True] * 4 + [False]
    assert all(row.candidates for row in loaded.embassy.rows.all())


def test_the_urdu_and_cyrillic_rows_find_the_people_they_name(loaded: Loaded) -> None:
    urdu = [r for r in loaded.police.rows.all() if detect_script(r.cells["name"]) == ARABIC]
    assert len(urdu) == 2
    for row in urdu:
        person = Person.objects.get(pk=row.candidates[0]["person"])
        who = next(
            who
            for who, written, *_rest in matching_demo.POLICE_ROWS
            if written == row.cells["name"]
        )
        assert person.names.filter(text=who).exists(), (row.cells, row.candidates[0])
    cyrillic = list(loaded.embassy.rows.all())
    assert {detect_script(row.cells["name"]) for row in cyrillic} == {CYRILLIC}
    for row in cyrillic:
        application = Application.objects.get(reference=row.cells["reference"])
        household = application.household
        meant: set[int] = (
            {application.person.pk}
            if application.person is not None
            else set(household.members.values_list("pk", flat=True) if household else [])
        )
        assert best(row) in meant, (row.cells, row.candidates[0])


def test_the_karachi_coordinator_sees_the_second_record_as_a_likely_duplicate(
    loaded: Loaded,
) -> None:
    karachi = User.objects.get(username="karachi")
    second = Person.objects.get(code=matching_demo.key(matching_demo.DUPLICATE))
    first = Person.objects.get(names__text=matching_demo.REGISTERED_TWICE)
    pairs = likely_duplicates(Person.objects.editable_by(karachi))
    assert (first.pk, second.pk) in {(p.first.pk, p.second.pk) for p in pairs}


def test_the_karachi_coordinator_reviews_both_lists(loaded: Loaded, client: Client) -> None:
    client.force_login(User.objects.get(username="karachi"))
    police = client.get(f"/lists/{loaded.police.code}/").content.decode()
    assert "عظمت سپربیکوف" in police and "Azamat Saparbekov" in police
    assert str(loaded.embassy.code) in client.get("/lists/").content.decode()


def test_no_news_report_name_in_the_lists(loaded: Loaded) -> None:
    pattern = re.compile("|".join(ARTICLE_NAMES), re.IGNORECASE)
    texts = [*Name.objects.values_list("text", flat=True)]
    for row in ListRow.objects.all():
        texts += row.cells.values()
    for upload in (loaded.police, loaded.embassy):
        texts += [
            upload.title,
            upload.display_name,
            (loaded.private / upload.storage_name).read_text("utf-8-sig"),
        ]
    assert [text for text in texts if pattern.search(text)] == []


# --- Every main page opens for the users the README names, with real data ---------------


def pages() -> list[str]:
    detained = Custody.objects.filter(state="detained_unlocated").first()
    assert detained is not None
    episode = Episode.objects.filter(person=detained.person).first()
    assert episode is not None
    authority = Authority.objects.filter(kind="ministry").first()
    assert authority is not None
    return [
        "/",
        "/people/",
        f"/people/{detained.person.code}/",
        f"/households/{detained.person.household.code}/" if detained.person.household else "/",
        "/custody/",
        f"/episodes/{episode.code}/",
        "/custody/rota/",
        "/places/",
        "/applications/",
        "/batches/",
        f"/batches/{Batch.objects.get().code}/",
        "/authorities/",
        f"/authorities/{authority.code}/",
        f"/authorities/{authority.code}/timeline/",
        "/letters/",
        "/promises/",
        f"/promises/{Promise.objects.first().code}/",  # type: ignore[union-attr]
        "/lists/",
        f"/lists/{ListUpload.objects.filter(kind='police').get().code}/",
        "/duplicates/",
    ]


# Which of the pages above each demo user may open (the rest answer 403).
MAY_OPEN = {
    "karachi": None,  # everything (the detained person is in Karachi)
    "admin": None,
    "lawyer": {
        "/",
        "/people/",
        "people",
        "households",
        "/custody/",
        "episodes",
        "/custody/rota/",
        "/places/",
        "/lists/",
        "lists",
    },
    "liaison": {
        "/",
        "/people/",
        "people",
        "households",
        "/applications/",
        "/batches/",
        "batches",
        "/authorities/",
        "authorities",
        "/letters/",
        "/promises/",
        "promises",
    },
}


@pytest.mark.parametrize("username", sorted(MAY_OPEN))
def test_the_main_pages_open_with_demo_data(demo: Demo, client: Client, username: str) -> None:
    client.force_login(User.objects.get(username=username))
    allowed = MAY_OPEN[username]
    for url in pages():
        response = client.get(url)
        key = url if url in (allowed or set()) else url.strip("/").split("/")[0]
        expected = 200 if allowed is None or key in allowed or url in allowed else 403
        assert response.status_code == expected, (username, url, response.status_code)


def test_the_broken_promise_and_the_alarms_show_right_after_demo(
    demo: Demo, client: Client
) -> None:
    client.force_login(User.objects.get(username="liaison"))
    promises = client.get("/promises/").content.decode()
    assert "Broken" in promises
    client.force_login(User.objects.get(username="admin"))
    board_page = client.get("/custody/").content.decode()
    for kind in (
        "Not located",
        "Not produced before a magistrate",
        "Out of contact",
        "Court hearing",
    ):
        assert kind in board_page, kind


# --- R13: nothing identifying lands in browser history or autofill ---------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HREF = re.compile(r'href="(/[^"#]*)')
FIELD = re.compile(r"<(input|textarea)\b([^>]*)>", re.S)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
REMEMBERED = ("hidden", "checkbox", "radio", "file", "submit", "button")
# Inputs a browser is meant to fill: the sign-in and the one-time code.
OWN_AUTOCOMPLETE = re.compile(r'autocomplete="(username|current-password|one-time-code|off)"')
PER_PATTERN = 3  # pages of each shape (``/people/{code}/``) opened
CRAWLED = 250


def _unremembered(html: str) -> list[str]:
    """Inputs a browser may remember what was typed into: text of any kind without
    ``autocomplete="off"`` on them or on their form (R13)."""
    found = []
    forms = [(attrs, body) for attrs, body in FORM.findall(html)]
    outside = FORM.sub("", html)
    for form_attrs, body in [*forms, ("", outside)]:
        if 'autocomplete="off"' in form_attrs:
            continue
        for _tag, attrs in FIELD.findall(body):
            kind = re.search(r'type="([^"]+)"', attrs)
            if kind and kind.group(1) in REMEMBERED:
                continue
            if not OWN_AUTOCOMPLETE.search(attrs):
                name = re.search(r'name="([^"]+)"', attrs)
                found.append(name.group(1) if name else attrs.strip()[:40])
    return found


@pytest.mark.parametrize("username", ["admin", "karachi", "lawyer", "liaison"])
def test_no_name_or_phone_in_addresses_or_titles_and_no_input_remembered(
    demo: Demo, client: Client, username: str
) -> None:
    """R13's crawl: from the home page, every page the user can reach by a link (a few of
    each shape): no person's name or phone number in any address, redirect or title,
    and every input that takes text is ``autocomplete="off"``; and every field's
    ``aria-describedby`` names an element of the page."""
    names = {
        token.casefold()
        for text in Name.objects.values_list("text", flat=True)
        for token in re.findall(r"\w{4,}", text)
    }
    phones = {
        re.sub(r"\D", "", p)[-7:]
        for ps in Person.objects.values_list("phones", flat=True)
        for p in ps
    }
    client.force_login(User.objects.get(username=username))
    queue, seen, shapes = ["/"], {"/"}, Counter[str]()
    problems: list[str] = []
    opened = 0
    while queue and opened < CRAWLED:
        url = queue.pop(0)
        shape = UUID.sub("{code}", url.split("?")[0])
        if shapes[shape] >= PER_PATTERN or "/logout" in url:
            continue
        shapes[shape] += 1
        response = client.get(url)
        opened += 1
        addresses = [url, response.get("Location", "")]
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            title = html.split("<title>")[1].split("</title>")[0] if "<title>" in html else ""
            words = {w.casefold() for w in re.findall(r"\w{4,}", title)}
            problems += [f"{url}: title names {w}" for w in sorted(words & names)]
            problems += [f"{url}: remembers {f}" for f in _unremembered(html)]
            # A help text or an error a field says it is described by is on the page
            # (found by exploratory testing, 13b: none of them had its id).
            ids = set(re.findall(r'\bid="([^"]+)"', html))
            described = re.findall(r'aria-describedby="([^"]+)"', html)
            problems += [f"{url}: no #{d}" for ds in described for d in ds.split() if d not in ids]
            for link in HREF.findall(html):
                link = link.replace("&amp;", "&")
                addresses.append(link)
                if link not in seen and not link.startswith("/static/"):
                    seen.add(link)
                    queue.append(link)
        for address in addresses:
            # A record's code is random: its letters are no name, and its digits no
            # phone (they held a number's last seven digits by chance now and then).
            uncoded = UUID.sub("", address.casefold())
            problems += [f"{address}: names {n}" for n in names if n in uncoded]
            digits = re.sub(r"\D", "", uncoded)
            problems += [f"{address}: a phone" for p in phones if len(p) == 7 and p in digits]
    assert opened > 30, opened  # the crawl reached the pages, not only the home page
    assert sorted(set(problems)) == []
