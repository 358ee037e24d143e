"""A coordinator's day in a real browser: a household, two people, a scan, a Cyrillic search."""

import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from qandas.accounts.models import City, Organisation, Role, User
from qandas.audit.models import AuditEvent, Verb
from qandas.people.models import Household, Person
from qandas.test import member, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_registers_a_household_and_finds_a_person_by_cyrillic_name(
    live_server: Any, page: Any
) -> None:
    user, _karachi = coordinator()
    sign_in(page, live_server, "aigerim")

    page.click("nav >> text=People")
    page.wait_for_url("**/people/")
    page.click("text=Register a household")
    page.select_option("#id_city", label="Karachi")
    page.fill("#id_area", "Sohrab Goth")
    page.fill("#id_address", "House 12, Street 4")
    page.fill("#id_phones", "0333 1234598")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/households/*/")
    household = Household.objects.get()
    assert "House 12" not in page.content()
    assert "+92 3** *** **98" in page.locator("#contact").inner_text()

    register(page, "Тохтаров Нурлан", "Nurlan Tokhtarov", relationship="Head of household")
    # The household's protection letter, with a photographed scan.
    page.click("text=Add a document")
    page.select_option("#id_kind", label="Protection letter (Ministry of Interior)")
    page.fill("#id_number", "MOI-PL-204518")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/people/*/")
    page.click("text=Upload a scan")
    page.set_input_files(
        "#id_file",
        files=[{"name": "letter photo.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    page.click("button[type=submit].primary")
    page.wait_for_url("**/people/*/")
    assert page.locator("section.documents a", has_text="letter photo.png").count() == 1
    page.goto(f"{live_server.url}/households/{household.code}/")
    register(page, "Aliya Tokhtarov", None, relationship="Spouse")
    assert Person.objects.filter(household=household).count() == 2

    page.goto(f"{live_server.url}/people/")
    assert "2 people" in page.locator("#results").inner_text()
    # Typing is enough: htmx fetches the results and swaps them in.
    # The Cyrillic surname finds both: one typed in Cyrillic, one in Latin letters.
    page.fill("#id_q", "Тохтаров")
    page.locator("#results .why", has_text="тохтаров ≈ tokhtarov").first.wait_for()
    assert "2 people" in page.locator("#results").inner_text()
    assert "Тохтаров" not in page.url  # searches are posted, never put in the address
    # Without waiting for htmx, the search button does the same.
    page.fill("#id_q", "Nurlan Tokhtarov")
    page.click("form[role=search] button[type=submit]")
    page.locator("#results .why", has_text="nurlan ≈").first.wait_for()
    # Typing also started an htmx search, 400 ms after the last key: let it land too,
    # or its answer may replace the results under the click. (Waiting for the load
    # state "networkidle" did not: the page had reached it when it loaded.)
    page.wait_for_timeout(600)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert page.locator("table.people tbody tr").first.inner_text().startswith("Тохтаров Нурлан")
    page.click("text=Тохтаров Нурлан")
    page.wait_for_url("**/people/*/")
    assert page.locator("h1").inner_text() == "Тохтаров Нурлан"
    assert page.title() == "Person · Qandas"

    # Revealing the phone is one click; htmx swaps in the number and it is audited.
    assert "+923001234567" not in page.content()
    page.click("#phones button")
    page.locator("#phones", has_text="+923001234567").wait_for()
    assert AuditEvent.objects.filter(verb=Verb.REVEAL, actor=user).count() == 1

    # The scan comes back as a download (never shown inline), and that is audited.
    with page.expect_download() as download_info:
        page.click("section.documents a >> text=letter photo.png")
    download = download_info.value
    # Saved under a name the server makes, not the uploader's (R13, R17).
    assert re.fullmatch(r"scan-[0-9a-f]{8}\.png", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert AuditEvent.objects.filter(verb=Verb.DOWNLOAD, actor=user).count() == 1


def png_bytes() -> bytes:
    """A small photographed-letter stand-in."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (240, 236, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def register(page: Any, first: str, second: str | None, *, relationship: str) -> None:
    """Fill the person form reached from the household page's "Register a member"."""
    page.click("text=Register a member")
    page.wait_for_url("**/people/new/?household=*")
    page.fill("#id_names-0-text", first)
    page.select_option("#id_names-0-source", label="Self-declared")
    if second:
        page.fill("#id_names-1-text", second)
        page.select_option("#id_names-1-source", label="Passport")
    page.select_option("#id_sex", label="Male" if second else "Female")
    page.fill("#id_birth_date", "1984-01-01")
    page.select_option("#id_birth_date_precision", label="About (year)")
    page.fill("#id_phones", "0300 1234567")
    page.select_option("#id_current_city", label="Karachi")
    page.select_option("#id_relationship", label=relationship)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/people/*/")
    assert page.locator("h1").inner_text() == first


@pytest.fixture
def running() -> Iterator[Callable[[], int]]:
    """How many requests the live server is answering, by Django's signals."""
    from django.core.signals import request_finished, request_started

    counts = {"started": 0, "finished": 0}

    def started(**kwargs: Any) -> None:
        counts["started"] += 1

    def finished(**kwargs: Any) -> None:
        counts["finished"] += 1

    request_started.connect(started)
    request_finished.connect(finished)
    yield lambda: counts["started"] - counts["finished"]
    request_started.disconnect(started)
    request_finished.disconnect(finished)


def test_the_first_click_on_next_after_typing_a_search_shows_the_next_page(
    live_server: Any, page: Any, running: Callable[[], int]
) -> None:
    """Leaving the search box to click Next fires its change event, which searched
    again; htmx then dropped the click's own request as one for an element already
    busy, and the first Next did nothing. The click's request now replaces it."""
    _user, karachi = coordinator()
    organisation = Organisation.objects.get(slug="steppe")
    for given in range(30):
        person = Person.objects.create(organisation=organisation, current_city=karachi)
        person.set_names([{"text": f"Kuanysh{'a' * (given % 3)} Sarsenbayev"}])

    sign_in(page, live_server, "aigerim")
    page.goto(f"{live_server.url}/people/")
    page.fill("#id_q", "Sarsenbayev")
    page.locator("#results", has_text="30 people").wait_for()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert "Page 1 of 2" in page.locator("#results").inner_text()
    page.click("nav.pagination button:text('Next')")
    page.locator("#results", has_text="Page 2 of 2").wait_for(timeout=5000)
    # The search the click replaced still runs in the server: let it end before the
    # test's database is emptied under it.
    deadline = time.monotonic() + 10
    while running() and time.monotonic() < deadline:
        time.sleep(0.05)


def coordinator() -> tuple[User, City]:
    """Aigerim, a coordinator of Karachi in a network of her own."""
    organisation = Organisation.objects.create(slug="steppe", name="Steppe Network")
    karachi = City.objects.create(slug="karachi-r", name="Karachi")
    return member("aigerim", organisation, Role.COORDINATOR, [karachi]), karachi


def test_on_a_phone_the_duplicate_guard_keeps_its_columns_and_links(
    live_server: Any, page: Any
) -> None:
    """Found by exploratory testing (13b): at 360 pixels the comparison was laid out as
    cards, its header row hidden, and with it the links to the records already
    registered: "open it instead" could not be done, and what was typed could not be
    told from the record."""
    organisation = Organisation.objects.create(slug="steppe-p", name="Steppe Network")
    karachi = City.objects.create(slug="karachi-p", name="Karachi")
    member("aliya", organisation, Role.COORDINATOR, [karachi])
    there = Person.objects.create(organisation=organisation, current_city=karachi)
    there.set_names([{"text": "Aigerim Baisalova"}])
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server, "aliya")
    page.goto(f"{live_server.url}/people/new/")
    page.fill("#id_names-0-text", "Айгерим Байсалова")
    page.select_option("#id_current_city", label="Karachi")
    page.click("button[type=submit].primary")
    guard = page.locator("#duplicates")
    guard.wait_for()
    assert guard.locator("thead").is_visible()
    assert guard.locator("th", has_text="What you typed").is_visible()
    record = guard.locator("thead a", has_text="Record 1")
    assert record.is_visible()
    assert record.get_attribute("href") == f"/people/{there.code}/"
    # Nothing sticks out of the page: the comparison scrolls within its box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
