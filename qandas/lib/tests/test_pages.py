"""Error pages, sessions and language switching: what every page relies on."""

import time

import pytest
import time_machine
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from qandas.test import Cast

pytestmark = pytest.mark.django_db


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail: Karachi safe house")


urlpatterns = [path("explode/", explode), path("", include("qandas.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_page_reveals_nothing(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.coordinator)
    response = client.get("/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret detail" not in body and "Traceback" not in body and "coordinator" not in body


def test_a_missing_page_is_a_plain_404(cast: Cast, client: Client) -> None:
    client.force_login(cast.coordinator)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_an_unknown_api_path_answers_json(client: Client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such API endpoint."}


def test_openapi_document_describes_bearer_authentication(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert "/api/v1/audit-events" in schema["paths"]


def test_sessions_end_after_30_idle_minutes(cast: Cast, client: Client) -> None:
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(cast.lawyer)
        assert client.get("/").status_code == 200
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200
        clock.shift(31 * 60)
        assert client.get("/").status_code == 302


def test_sessions_end_after_8_hours_however_busy(cast: Cast, client: Client) -> None:
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(cast.lawyer)
        for _step in range(17):
            clock.shift(29 * 60)
            client.get("/")
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_language_switch_turns_the_page_right_to_left(cast: Cast, client: Client) -> None:
    client.force_login(cast.coordinator)
    response = client.post("/i18n/setlang/", {"language": "ur", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="ur" dir="rtl">' in client.get("/").content.decode()
