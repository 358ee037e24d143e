"""The person edit form, submitted as a browser submits it: what it shows is what it saves."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from qandas.audit.models import AuditEvent, Verb
from qandas.people.models import Household, Person
from qandas.people.tests.test_views import make_household
from qandas.test import Cast

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """The fields a browser would post from the page's own form (posted to the page), as shown:
    the selected option of each select (the first when none is), checked boxes only."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""
        self.in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form" and found.get("method") == "post" and "action" not in found:
            self.in_form = True  # the page's own form, not sign-out or language
        if not self.in_form or "disabled" in found:
            return
        if tag == "input" and found.get("name"):
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            default = "on" if found.get("type") == "checkbox" else ""
            self.values.append((found["name"], found.get("value", default)))
        elif tag == "select":
            self.select, self.options = found.get("name"), []
        elif tag == "option" and self.select is not None:
            self.options.append((found.get("value", ""), "selected" in found))
        elif tag == "textarea":
            self.textarea, self.text = found.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            first = [value for value, _selected in self.options[:1]]
            self.values += [(self.select, value) for value in (chosen or first)]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The parser keeps the newline that follows <textarea>; a browser drops it.
            self.values.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def as_shown(page: str) -> dict[str, Any]:
    parser = FormValues()
    parser.feed(page)
    posted: dict[str, Any] = {}
    for name, value in parser.values:
        posted.setdefault(name, []).append(value)
    return posted


def make_person(cast: Cast, *names: str, **fields: Any) -> Person:
    person = Person.objects.create(
        organisation=cast.organisation, current_city=cast.karachi, **fields
    )
    person.set_names([{"text": text} for text in names])
    return person


@pytest.fixture
def household(cast: Cast) -> Household:
    return Household.objects.create(
        organisation=cast.organisation, city=cast.karachi, area="Sohrab Goth", address="House 12"
    )


# Writing names rewrites the matching keys with raw SQL (executemany): engine-dependent.
@pytest.mark.engines
def test_an_unchanged_edit_keeps_the_household_and_records_no_change_of_it(
    client: Client, cast: Cast, household: Household
) -> None:
    azamat = make_person(cast, "Azamat Saparbekov", household=household, relationship="child")
    client.force_login(cast.coordinator)
    page = client.get(f"/people/{azamat.code}/edit/").content.decode()
    assert f'<option value="{household.code}" selected>' in page
    response = client.post(f"/people/{azamat.code}/edit/", as_shown(page))
    assert response.status_code == 302, response.context["form"].errors
    azamat.refresh_from_db()
    assert azamat.household == household and azamat.relationship == "child"
    (event,) = AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=azamat.code)
    assert event.actor == cast.coordinator
    assert "household" not in event.fields and "relationship" not in event.fields


# Writing names rewrites the matching keys with raw SQL (executemany): engine-dependent.
@pytest.mark.engines
def test_an_edit_may_move_the_person_to_another_household_or_out_of_it(
    client: Client, cast: Cast, household: Household
) -> None:
    azamat = make_person(cast, "Azamat Saparbekov", household=household, relationship="child")
    other = Household.objects.create(organisation=cast.organisation, city=cast.karachi)
    client.force_login(cast.coordinator)
    data = as_shown(client.get(f"/people/{azamat.code}/edit/").content.decode())
    data["household"] = [str(other.code)]
    assert client.post(f"/people/{azamat.code}/edit/", data).status_code == 302
    azamat.refresh_from_db()
    assert azamat.household == other
    latest = AuditEvent.objects.filter(verb=Verb.UPDATE).order_by("-at", "-pk").first()
    assert latest is not None and latest.fields == ["household"]
    data["household"], data["relationship"] = [""], [""]
    assert client.post(f"/people/{azamat.code}/edit/", data).status_code == 302
    azamat.refresh_from_db()
    assert azamat.household is None and azamat.relationship == ""


# The duplicate guard's candidates come from the matching keys (raw SQL): engine-dependent.
@pytest.mark.engines
def test_the_duplicate_guard_of_an_edit_speaks_of_editing(client: Client, cast: Cast) -> None:
    make_person(cast, "Nurlan Tokhtarov")
    aigerim = make_person(cast, "Aigerim Bekova")
    client.force_login(cast.coordinator)
    data = as_shown(client.get(f"/people/{aigerim.code}/edit/").content.decode())
    data["names-0-text"] = ["Nurlan Tokhtarov"]
    response = client.post(f"/people/{aigerim.code}/edit/", data)
    assert response.status_code == 200 and response.context["candidates"]
    page = response.content.decode()
    assert "registering a second record" not in page
    assert "Nothing was saved yet" in page and "instead of saving these changes" in page
    assert [n.text for n in aigerim.names.all()] == ["Aigerim Bekova"]
    # Registering keeps its own wording.
    create = as_shown(client.get("/people/new/").content.decode())
    create["names-0-text"], create["current_city"] = ["Nurlan Tokhtarov"], [str(cast.karachi.pk)]
    page = client.post("/people/new/", create).content.decode()
    assert "registering a second record" in page


# Writing names rewrites the matching keys with raw SQL (executemany): engine-dependent.
@pytest.mark.engines
def test_clearing_the_household_clears_the_relationship_and_records_both(
    client: Client, cast: Cast, household: Household
) -> None:
    azamat = make_person(cast, "Azamat Saparbekov", household=household, relationship="child")
    client.force_login(cast.coordinator)
    data = as_shown(client.get(f"/people/{azamat.code}/edit/").content.decode())
    assert data["relationship"] == ["child"]
    data["household"] = [""]  # the relationship is left as shown
    response = client.post(f"/people/{azamat.code}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    azamat.refresh_from_db()
    assert azamat.household is None and azamat.relationship == ""
    (event,) = AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=azamat.code)
    assert event.actor == cast.coordinator
    assert sorted(event.fields) == ["household", "relationship"]


# Writing names rewrites the matching keys with raw SQL (executemany): engine-dependent.
@pytest.mark.engines
def test_a_relationship_chosen_without_a_household_is_still_asked_about(
    client: Client, cast: Cast, household: Household
) -> None:
    """Choosing a relationship, rather than leaving one behind, without a household is
    a household forgotten: nothing is saved and the form asks for it."""
    client.force_login(cast.coordinator)
    create = as_shown(client.get("/people/new/").content.decode())
    create["names-0-text"], create["current_city"] = ["Dana Serikova"], [str(cast.karachi.pk)]
    create["relationship"] = ["spouse"]
    response = client.post("/people/new/", create)
    assert response.status_code == 200
    assert response.context["form"].errors["relationship"] == ["Choose a household first."]
    assert not Person.objects.filter(names__text="Dana Serikova").exists()

    azamat = make_person(cast, "Azamat Saparbekov", household=household, relationship="child")
    data = as_shown(client.get(f"/people/{azamat.code}/edit/").content.decode())
    data["household"], data["relationship"] = [""], ["spouse"]
    response = client.post(f"/people/{azamat.code}/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["relationship"] == ["Choose a household first."]
    azamat.refresh_from_db()
    assert azamat.household == household and azamat.relationship == "child"
    assert not AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=azamat.code).exists()


def test_households_of_one_area_and_day_are_told_apart_by_their_members(
    client: Client, cast: Cast
) -> None:
    first, second, empty = (make_household(cast) for _ in range(3))
    make_person(cast, "Azamat Saparbekov", household=first, relationship="child")
    make_person(cast, "Kairat Saparbekov", household=first, relationship="head")
    make_person(cast, "Dina Omarova", household=second, relationship="spouse")
    # A member the coordinator may not see (another city) is neither named nor counted.
    hidden = Person.objects.create(
        organisation=cast.organisation, current_city=cast.quetta, household=empty
    )
    hidden.set_names([{"text": "Hidden Quettawala"}])
    client.force_login(cast.coordinator)
    page = client.get("/people/new/").content.decode()
    assert ": Kairat Saparbekov and 1 other</option>" in page
    assert ": Dina Omarova</option>" in page
    assert ": no members</option>" in page
    assert "Quettawala" not in page
