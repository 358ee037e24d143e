"""On a phone, in Chromium: log a raid, find the men on the board, search, locate."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qandas.accounts.models import City, Organisation, Role
from qandas.incidents.models import Alarm, Event, Place
from qandas.people.models import Household, Person
from qandas.test import member, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_three_arrests_on_a_phone_then_search_and_locate_until_the_alarm_clears(
    live_server: Any, page: Any
) -> None:
    organisation = Organisation.objects.create(slug="steppe-c", name="Steppe Network")
    karachi = City.objects.create(slug="karachi-c", name="Karachi")
    member("saule", organisation, Role.COORDINATOR, [karachi])
    household = Household.objects.create(organisation=organisation, city=karachi, area="Orangi")
    men = []
    for name, relationship in [
        ("Bolat Kenzhetaev", "head"),
        ("Serik Kenzhetaev", "child"),
        ("Marat Kenzhetaev", "child"),
        ("Dana Kenzhetaeva", "spouse"),
    ]:
        person = Person.objects.create(
            organisation=organisation,
            current_city=karachi,
            household=household,
            relationship=relationship,
        )
        person.set_names([{"text": name}])
        men.append(person)
    men.pop()  # Dana was not taken
    north = Place.objects.create(
        organisation=organisation, kind="police_station", name="North Station", city=karachi
    )

    sign_in(page, live_server, "saule")

    # The raid happened yesterday; the coordinator logs it now, from the household page.
    page.goto(f"{live_server.url}/households/{household.code}/")
    page.click("text=Log an arrest")
    page.wait_for_url("**/custody/arrest/?household=*")
    for man in men:
        page.check(f"input[name=people][value='{man.code}']")
    taken_at = (timezone.now() - timedelta(hours=26)).astimezone(ZoneInfo("Asia/Karachi"))
    page.fill("#id_occurred_at", taken_at.strftime("%Y-%m-%dT%H:%M"))
    page.click("text=Record the arrest")
    page.wait_for_url("**/custody/")
    assert "Arrest recorded for 3 people" in page.locator(".messages").inner_text()

    rows = page.locator("table.board tbody tr")
    assert rows.count() == 3
    for i in range(3):
        row = rows.nth(i).inner_text()
        assert "Detained, not located" in row
        assert "unknown" in row
        assert "Alarm: Not located" in row
    assert Event.objects.filter(kind="arrest").count() == 1
    assert Event.objects.filter(kind="raid").count() == 1

    # Relatives ask at North Station: denied. Later a lawyer sees him there.
    bolat = men[0]
    page.click("table.board >> text=Bolat Kenzhetaev")
    page.wait_for_url(f"**/people/{bolat.code}/")
    assert "Detained, not located" in page.locator("#custody").inner_text()
    page.click("text=Record an event")
    page.select_option("#id_kind", "search")
    page.select_option("#id_place", str(north.code))
    page.select_option("#id_answer", "denied")
    page.fill("#id_asked_by", "his wife")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"**/people/{bolat.code}/")
    assert "Search for a detainee" in page.locator("#timeline").inner_text()

    page.click("text=Record an event")
    page.select_option("#id_kind", "located")
    page.select_option("#id_place", str(north.code))
    page.click("button:has-text('Save')")
    page.wait_for_url(f"**/people/{bolat.code}/")
    assert "Detained, located" in page.locator("#custody").inner_text()

    page.click("nav >> text=Custody")
    page.wait_for_url("**/custody/")
    row = page.locator("table.board tbody tr", has_text="Bolat Kenzhetaev").inner_text()
    assert "Detained, located" in row
    assert "North Station" in row
    assert "Not located" not in row  # the alarm cleared itself
    assert "Not produced before a magistrate" in row  # that one still runs
    others = page.locator("table.board tbody tr", has_text="Serik Kenzhetaev").inner_text()
    assert "Alarm: Not located" in others
    cleared = Alarm.objects.get(person=bolat, kind="unlocated")
    assert cleared.cleared_at is not None
