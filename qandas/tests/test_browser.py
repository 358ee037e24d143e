"""Through a real browser: Debian's Chromium, driven by Playwright."""

from typing import Any

import pytest

from qandas.accounts.models import City, Membership, Organisation, Role, User

PASSWORD = "a long browser test password"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_signs_in_through_the_login_page(live_server: Any, page: Any) -> None:
    organisation = Organisation.objects.create(slug="net", name="Steppe Test Network")
    karachi = City.objects.create(slug="karachi-b", name="Karachi")
    user = User.objects.create_user("dana", "dana@example.invalid", PASSWORD)
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=Role.COORDINATOR
    )
    membership.cities.set([karachi])

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "dana")
    page.fill("#id_password", "wrong password here")
    page.click("button[type=submit].primary")
    assert page.locator("[role=alert]").inner_text().startswith("We could not sign you in")

    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Welcome, dana"
    card = page.locator("section.membership[data-role=coordinator]")
    assert "Steppe Test Network" in card.inner_text()
    assert "Your role: Coordinator" in card.inner_text()
    assert "Karachi" in card.inner_text()
    # Coordinators get no administration links.
    assert page.locator("a", has_text="Audit log").count() == 0

    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_an_admin_sees_the_administration_menu(live_server: Any, page: Any) -> None:
    organisation = Organisation.objects.create(slug="net2", name="Admin Network")
    user = User.objects.create_user("erlan", "erlan@example.invalid", PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "erlan")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=Audit log")
    page.wait_for_url("**/audit/")
    assert page.locator("td", has_text="Signed in").count() >= 1
