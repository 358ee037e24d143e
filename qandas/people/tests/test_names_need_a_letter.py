"""A name needs at least one letter, in any script: in the forms and the API, as in imports."""

from typing import Any

import pytest
from django.test import Client

from qandas.audit.models import AuditEvent, Verb
from qandas.people.models import Person
from qandas.people.tests.test_views import person_form
from qandas.test import Cast

pytestmark = pytest.mark.django_db

LETTERLESS = ["???", "!!!", "😀", "123 456", "- . -"]


@pytest.fixture
def aigerim(cast: Cast) -> Person:
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": "Aigerim Bekova"}])
    return person


@pytest.mark.parametrize("text", LETTERLESS)
def test_the_form_refuses_a_name_without_a_letter_next_to_it(
    client: Client, cast: Cast, text: str
) -> None:
    client.force_login(cast.coordinator)
    response = client.post("/people/new/", person_form(cast.karachi, text))
    assert response.status_code == 200
    assert response.context["names"].forms[0].errors["text"]
    assert "at least one letter" in response.content.decode()
    assert Person.objects.count() == 0


def test_every_name_row_is_checked_on_create_and_edit(
    client: Client, cast: Cast, aigerim: Person
) -> None:
    client.force_login(cast.coordinator)
    response = client.post("/people/new/", person_form(cast.karachi, "Nurlan", "???"))
    assert response.context["names"].forms[1].errors["text"]
    assert Person.objects.count() == 1
    response = client.post(
        f"/people/{aigerim.code}/edit/", person_form(cast.karachi, "Aigerim", "!!!")
    )
    assert response.status_code == 200
    assert "at least one letter" in response.context["names"].forms[1].errors["text"][0]
    assert [n.text for n in aigerim.names.all()] == ["Aigerim Bekova"]
    assert not AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=aigerim.code).exists()


# Writing names rewrites the matching keys with raw SQL (executemany): engine-dependent.
@pytest.mark.engines
def test_letters_of_any_script_make_a_name(client: Client, cast: Cast) -> None:
    client.force_login(cast.coordinator)
    for text in ("Ә", "ن", "J.", "O'Neil 2"):
        response = client.post("/people/new/", person_form(cast.karachi, text))
        assert response.status_code == 302, text


@pytest.mark.parametrize("text", LETTERLESS)
def test_the_api_refuses_a_name_without_a_letter(api: Any, text: str) -> None:
    response = api("coordinator", "post", "/people", {"names": [{"text": text}]})
    assert response.status_code == 422
    assert "at least one letter" in response.json()["detail"]
    assert Person.objects.count() == 0


def test_the_api_checks_every_name_on_create_and_patch(api: Any, aigerim: Person) -> None:
    body = {"names": [{"text": "Nurlan"}, {"text": "!!!"}]}
    response = api("coordinator", "post", "/people", body)
    assert response.status_code == 422 and "at least one letter" in response.json()["detail"]
    assert Person.objects.count() == 1
    response = api("coordinator", "patch", f"/people/{aigerim.code}", body)
    assert response.status_code == 422 and "at least one letter" in response.json()["detail"]
    assert [n.text for n in aigerim.names.all()] == ["Aigerim Bekova"]
    assert not AuditEvent.objects.filter(verb=Verb.UPDATE, object_code=aigerim.code).exists()


def test_a_fathers_name_needs_a_letter_too(client: Client, cast: Cast) -> None:
    """As the import requires: in the form and the API, on create and edit."""
    client.force_login(cast.coordinator)
    response = client.post(
        "/people/new/", person_form(cast.karachi, "Nurlan Tokhtarov", father_name="???")
    )
    assert response.status_code == 200
    assert "at least one letter" in str(response.context["form"].errors["father_name"])
    assert not Person.objects.exists()
    token = cast.token("coordinator")
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/people",
        {"names": [{"text": "Nurlan Tokhtarov"}], "city": "karachi", "father_name": "!!"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 422 and "at least one letter" in created.content.decode()
    created = client.post(
        "/api/v1/people",
        {"names": [{"text": "Nurlan Tokhtarov"}], "city": "karachi", "father_name": "Серик"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    patched = client.patch(
        f"/api/v1/people/{code}",
        {"father_name": "123"},
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 422
    assert Person.objects.get(code=code).father_name == "Серик"
