"""In Chromium: upload a police list in Cyrillic and Urdu script, see it matched by the
background worker, confirm a match, find the event on the person's timeline, then undo
the confirmation."""

from typing import Any

import pytest
from django.core.management import call_command

from qandas.accounts.models import City, Organisation, Role
from qandas.incidents.models import Event, Place
from qandas.people.models import Person
from qandas.test import member, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_police_list_in_two_scripts_becomes_an_event_on_the_timeline_until_undone(
    live_server: Any, page: Any, settings: Any
) -> None:
    # Tasks stored in the database, as in production, for the worker run below.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    organisation = Organisation.objects.create(slug="steppe-l", name="Steppe Network")
    karachi = City.objects.create(slug="karachi-l", name="Karachi")
    member("gulnara", organisation, Role.COORDINATOR, [karachi])
    people = {}
    for name in ("Aibek Sharifi", "Nurlan Tokhtarov", "Dana Seitova"):
        person = Person.objects.create(organisation=organisation, current_city=karachi)
        person.set_names([{"text": name}])
        people[name] = person
    station = Place.objects.create(
        organisation=organisation, kind="police_station", name="Saddar Station", city=karachi
    )

    sign_in(page, live_server, "gulnara")

    page.click("nav >> text=Lists")
    page.wait_for_url("**/lists/")
    page.click("text=Upload a list")
    page.select_option("#id_kind", "police")
    page.fill("#id_title", "Saddar station, morning list")
    page.select_option("#id_place", str(station.code))
    listed = "name,father_name\nАйбек Шарифи,\nنورلان توختاروف,\n"
    page.set_input_files(
        "#id_file",
        files=[{"name": "saddar.csv", "mimeType": "text/csv", "buffer": listed.encode()}],
    )
    page.click("text=Upload and match")
    page.wait_for_url("**/lists/*/")
    assert "2 rows are being matched" in page.locator(".messages").inner_text()
    assert "Waiting for the background worker" in page.locator("#matching").inner_text()
    assert page.locator("text=Waiting for the whole list to be matched.").count() == 2

    # The worker matches it; the page, asking every few seconds, reloads itself.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    page.locator("tbody.list-row button:has-text('Confirm')").first.wait_for(timeout=15_000)
    assert page.locator("#matching").count() == 0

    cyrillic = page.locator("tbody.list-row", has_text="Айбек Шарифи")
    urdu = page.locator("tbody.list-row", has_text="نورلان توختاروف")
    assert "Nurlan Tokhtarov" in urdu.inner_text()
    assert cyrillic.locator("input[name=event]").is_checked()  # a police list: ticked
    sharifi = people["Aibek Sharifi"]
    cyrillic.locator(f"input[name=person][value='{sharifi.code}']").check()
    cyrillic.locator("button:has-text('Confirm')").click()
    # htmx swaps the row in place: it now says who it is.
    confirmed = page.locator("tbody.list-row.confirmed", has_text="Айбек Шарифи")
    confirmed.wait_for()
    assert "Located" in confirmed.inner_text()

    confirmed.locator("a", has_text="Aibek Sharifi").click()
    page.wait_for_url(f"**/people/{sharifi.code}/")
    timeline = page.locator("#timeline").inner_text()
    assert "Located" in timeline and "Saddar Station" in timeline
    assert "Detained, located" in page.locator("#custody").inner_text()
    assert Event.objects.get().kind == "located"

    # A wrong confirmation is undone from the list: the row is back to review and the
    # event it recorded is retracted, which frees the person again.
    page.go_back()
    page.wait_for_url("**/lists/*/")
    row = page.locator("tbody.list-row.confirmed", has_text="Айбек Шарифи")
    row.locator("button:has-text('Undo')").click()
    # htmx settles a swapped row for a moment with the old row's classes: wait for its own.
    page.locator("tbody.list-row.pending", has_text="Айбек Шарифи").locator(
        "button:has-text('Confirm')"
    ).wait_for()
    assert page.locator("tbody.list-row.confirmed").count() == 0
    page.goto(f"{live_server.url}/people/{sharifi.code}/")
    assert "(retracted)" in page.locator("#timeline").inner_text()
    assert "Detained" not in page.locator("#custody").inner_text()
    assert Event.objects.get().retracted_at is not None

    # Back to review, the row is listed on his page, and leads to itself on the list.
    naming = page.locator("#lists")
    assert "Saddar station, morning list" in naming.inner_text()
    naming.locator("a", has_text="Review").click()
    page.wait_for_url("**/lists/*/?page=1#row-*")
    assert page.locator("tbody.list-row.pending", has_text="Айбек Шарифи").is_visible()

    # A name asked in Latin letters finds the row written in Urdu script alone; its
    # decision is taken there.
    page.fill("#id_find", "Nurlan Tokhtarov")
    page.click("button:has-text('Find')")
    page.wait_for_url("**/find/")
    assert page.locator("tbody.list-row").count() == 1
    assert "1 row has a name like Nurlan Tokhtarov." in page.locator(".found").inner_text()
    found = page.locator("tbody.list-row", has_text="نورلان توختاروف")
    found.locator("button:has-text('No match')").click()
    page.locator("tbody.list-row.rejected", has_text="نورلان توختاروف").wait_for()
