"""On a phone, in Chromium: a letter to a minister, the reply with a promise "in April",
and, once April is over, the promise shown broken on the Promises page."""

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from qandas.accounts.models import City, Organisation, Role
from qandas.applications.models import Authority, Official
from qandas.correspondence.models import Letter, Promise
from qandas.test import member, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_promise_made_in_a_reply_is_broken_once_its_month_is_over(
    live_server: Any, page: Any
) -> None:
    organisation = Organisation.objects.create(slug="steppe-p", name="Steppe Network")
    karachi = City.objects.create(slug="karachi-p", name="Karachi")
    member("aliya", organisation, Role.LIAISON, [karachi])
    ministry = Authority.objects.create(
        organisation=organisation, kind="ministry", name="Ministry of Foreign Affairs"
    )
    minister = Official.objects.create(authority=ministry, name="B. Minister", post="Minister")

    # 10 March 2026: the clock starts before signing in, so the server sees it too.
    march = time_machine.travel(datetime(2026, 3, 10, 7, 0, tzinfo=UTC), tick=True)
    march.start()
    try:
        sign_in(page, live_server, "aliya")
        page.goto(f"{live_server.url}/letters/new/")
        page.check("input[name=direction][value=out]")
        page.fill("#id_dated_on", "2026-03-02")
        page.select_option("#id_authority", str(ministry.code))
        page.select_option("#id_official", str(minister.code))
        page.fill("#id_subject", "Request: decide the 300 applications")
        page.fill("#id_text", "We ask the Minister to decide.")
        page.click("text=Save the letter")
        page.wait_for_url("**/letters/*/")
        assert "Letter recorded." in page.locator(".messages").inner_text()

        # The minister answered: "in April".
        page.click("text=Record the reply")
        page.wait_for_url("**/letters/new/?reply_to=*")
        assert page.input_value("#id_subject").startswith("Re: Request")
        page.fill("#id_dated_on", "2026-03-09")
        page.fill("#id_text", "The applications will be considered in April.")
        page.click("text=Save the letter")
        page.wait_for_url("**/letters/*/")
        reply = Letter.objects.get(direction="in")
        assert reply.reply_to is not None and reply.reply_to.direction == "out"

        page.click("text=Record a promise")
        page.wait_for_url("**/promises/new/")
        page.fill("#id_quote", "The applications will be considered in April.")
        page.fill("#id_due_on", "2026-04-10")
        page.select_option("#id_due_precision", "month")
        page.click("text=Save the promise")
        page.wait_for_url(f"**/letters/{reply.code}/")
        promise = Promise.objects.get()
        assert promise.due_on.isoformat() == "2026-04-30"
        assert promise.official == minister

        page.goto(f"{live_server.url}/promises/")
        row = page.locator("table.promises tbody tr").first.inner_text()
        assert "Promised" in row and "2026-04" in row
    finally:
        march.stop()

    # 3 May 2026: April is over and nothing came. Nobody marks it broken: it is.
    may = time_machine.travel(datetime(2026, 5, 3, 7, 0, tzinfo=UTC), tick=True)
    may.start()
    try:
        sign_in(page, live_server, "aliya")  # the March session has long expired
        page.goto(f"{live_server.url}/promises/")
        row = page.locator("table.promises tbody tr").first.inner_text()
        assert "Broken" in row
        assert "3 days late" in row
        assert "B. Minister" in row and "Ministry of Foreign Affairs" in row
        assert "2026-04" in row
    finally:
        may.stop()
