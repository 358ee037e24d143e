"""What every operation of the API shares: it takes the query parameters it documents, no
other.

Driven by the OpenAPI document, so an endpoint added later is checked without a test of
its own.
"""

import uuid
from typing import Any

import pytest
from django.test import Client

from qandas.test import Cast

pytestmark = pytest.mark.django_db

# A value each documented parameter takes, by name where its type does not say enough.
VALUES = {"q": "Kairat", "document_number": "AB123", "city": "karachi", "actor": "nobody"}


def _operations() -> list[tuple[str, str, list[dict[str, Any]]]]:
    from qandas.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [
        (method, path, [p for p in operation.get("parameters", []) if p["in"] == "query"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


OPERATIONS = _operations()
GETS = [(path, parameters) for method, path, parameters in OPERATIONS if method == "get"]


def _url(path: str) -> str:
    """The path with any ``{code}`` filled in: the query is checked before the lookup."""
    return path.replace("{code}", str(uuid.uuid4()))


def _value(parameter: dict[str, Any]) -> str:
    schema = parameter["schema"]
    schema = next((s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"), schema)
    if "$ref" in schema:
        return "unresolved"  # an enum: replaced below from the document's components
    if parameter["name"] in VALUES:
        return VALUES[parameter["name"]]
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("format") == "date":
        return "2024-01-31"
    if schema.get("type") == "integer":
        return str(schema.get("minimum", 1))
    if schema.get("type") == "boolean":
        return "true"
    return "x"


@pytest.fixture
def admin(cast: Cast) -> dict[str, str]:
    return {"Authorization": f"Bearer {cast.token('admin')}"}


def test_every_get_is_checked() -> None:
    paths = [path for path, _ in GETS]
    assert "/api/v1/people" in paths and "/api/v1/custody-board" in paths
    assert len(paths) > 15


def test_every_write_is_checked() -> None:
    methods = {method for method, _path, _parameters in OPERATIONS}
    assert methods == {"get", "post", "patch", "delete"}


@pytest.mark.parametrize(
    ("method", "path", "parameters"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_an_unknown_query_parameter_is_refused_naming_the_accepted_ones(
    client: Client,
    admin: dict[str, str],
    method: str,
    path: str,
    parameters: list[dict[str, Any]],
) -> None:
    from qandas.audit.models import AuditEvent

    audited = AuditEvent.objects.count()
    # No body: the query is refused before the body is read.
    response = client.generic(method.upper(), f"{_url(path)}?name=Kairat&nonsense=1", headers=admin)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert "name" in detail and "nonsense" in detail
    for parameter in parameters:
        assert parameter["name"] in detail
    assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize(("path", "parameters"), GETS, ids=[p for p, _ in GETS])
def test_every_documented_query_parameter_is_still_taken(
    client: Client, admin: dict[str, str], path: str, parameters: list[dict[str, Any]]
) -> None:
    from qandas.api import api

    components = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    query = {}
    for parameter in parameters:
        value = _value(parameter)
        if value == "unresolved":
            schema = parameter["schema"]
            ref = next(s["$ref"] for s in schema.get("anyOf", [schema]) if "$ref" in s)
            value = components[ref.rsplit("/", 1)[-1]]["enum"][0]
        query[parameter["name"]] = value
    response = client.get(_url(path), query, headers=admin)
    assert response.status_code != 422, response.content


def test_a_misspelt_search_answers_422_not_the_whole_registry(
    client: Client, admin: dict[str, str]
) -> None:
    response = client.get("/api/v1/people?name=Kairat", headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert set(body) <= {"detail", "errors"}
    assert "name" in body["detail"] and "q" in body["detail"] and "limit" in body["detail"]
    assert "results" not in body


def test_a_refused_token_still_answers_401_first(client: Client) -> None:
    response = client.get("/api/v1/people?name=Kairat")
    assert response.status_code == 401


def test_a_write_with_an_unknown_query_parameter_writes_nothing(
    client: Client, cast: Cast, admin: dict[str, str]
) -> None:
    from qandas.people.models import Person

    body = {"names": [{"text": "Kairat Omarov"}], "city": "karachi"}
    response = client.post(
        "/api/v1/people?dry_run=true", body, content_type="application/json", headers=admin
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith("Unknown query parameter: dry_run.")
    assert not Person.objects.exists()

    response = client.post("/api/v1/people", body, content_type="application/json", headers=admin)
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    response = client.patch(
        f"/api/v1/people/{code}?notes=x",
        {"notes": "Moved to Quetta"},
        content_type="application/json",
        headers=admin,
    )
    assert response.status_code == 422, response.content
    assert "notes" in response.json()["detail"]
    assert Person.objects.get(code=code).notes == ""
