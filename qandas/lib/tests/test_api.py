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


def _is_list(parameter: dict[str, Any]) -> bool:
    schema = parameter["schema"]
    return any(s.get("type") == "array" for s in schema.get("anyOf", [schema]))


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
        # A list (``?kind=a&kind=b``) is given twice: repeating it is how it is used.
        query[parameter["name"]] = [value, value] if _is_list(parameter) else value
    response = client.get(_url(path), query, headers=admin)
    assert response.status_code != 422, response.content


def _input_models(model: Any) -> list[Any]:
    """A body's schema and every schema inside it (a person's names, an event's place)."""
    from typing import get_args

    from pydantic import BaseModel

    found = [model]
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found += _input_models(annotation)
            stack += get_args(annotation)
    return found


def test_every_body_refuses_a_field_it_does_not_take() -> None:
    from qandas.api import api

    bodies = [
        model.model_fields["payload"].annotation
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        for model in operation.models
        if model.__ninja_param_source__ == "body"
    ]
    assert len(bodies) > 20
    schemas = {schema for body in bodies for schema in _input_models(body)}
    assert {s.__name__ for s in schemas} >= {"PersonPatch", "NameIn", "EventIn", "PlaceIn"}
    lax = sorted(s.__name__ for s in schemas if s.model_config.get("extra") != "forbid")
    assert lax == []


REPEATABLE = [
    (path, parameter["name"])
    for path, parameters in GETS
    for parameter in parameters
    if not _is_list(parameter)
]


@pytest.mark.parametrize(("path", "name"), REPEATABLE, ids=[f"{p} {n}" for p, n in REPEATABLE])
def test_a_parameter_given_twice_is_refused_naming_it(
    client: Client, admin: dict[str, str], path: str, name: str
) -> None:
    response = client.get(f"{_url(path)}?{name}=1&{name}=2", headers=admin)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail == f"Query parameter given more than once: {name}. Give it once."


def test_a_search_for_two_names_at_once_is_refused_not_cut_to_the_last(
    client: Client, admin: dict[str, str]
) -> None:
    response = client.get("/api/v1/people?q=Kairat&city=karachi&q=Aigul", headers=admin)
    assert response.status_code == 422
    assert response.json() == {"detail": "Query parameter given more than once: q. Give it once."}
    response = client.get("/api/v1/people?q=Kairat&q=Aigul&limit=5&limit=6", headers=admin)
    assert response.json()["detail"].startswith("Query parameters given more than once: q, limit.")


def test_a_list_parameter_may_still_be_given_more_than_once() -> None:
    from ninja import Query
    from ninja.testing import TestClient

    from qandas.lib.api import Router

    router = Router()

    @router.get("/kinds")
    def kinds(request: Any, kind: Query[list[str]], q: str = "") -> dict[str, Any]:
        return {"kind": kind, "q": q}

    client = TestClient(router)
    response = client.get("/kinds?kind=arrest&kind=release&q=Kairat")
    assert response.status_code == 200, response.content
    assert response.json() == {"kind": ["arrest", "release"], "q": "Kairat"}
    response = client.get("/kinds?kind=arrest&q=Kairat&q=Aigul")
    assert response.status_code == 422
    assert "more than once: q." in response.json()["detail"]


def test_a_misspelt_search_answers_422_not_the_whole_registry(
    client: Client, admin: dict[str, str]
) -> None:
    response = client.get("/api/v1/people?name=Kairat", headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert set(body) <= {"detail", "errors"}
    assert "name" in body["detail"] and "q" in body["detail"] and "limit" in body["detail"]
    assert "results" not in body


ROLES = ("coordinator", "lawyer", "liaison", "analyst")


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in OPERATIONS],
    ids=[f"{m} {p}" for m, p, _ in OPERATIONS],
)
def test_a_role_that_may_not_use_an_endpoint_is_refused_before_its_query_is_read(
    client: Client, cast: Cast, method: str, path: str
) -> None:
    url = _url(path)
    for name in ROLES:
        headers = {"Authorization": f"Bearer {cast.token(name)}"}
        plain = client.generic(method.upper(), url, headers=headers)
        odd = client.generic(method.upper(), f"{url}?nonsense=1&limit=0&limit=0", headers=headers)
        if plain.status_code == 403:
            # Nothing about what the endpoint takes: the same answer as without a query.
            assert odd.status_code == 403, (name, odd.content)
            assert odd.json() == plain.json() == {"detail": "Your role may not use this endpoint."}
        else:
            assert odd.status_code == 422, (name, odd.content)


def test_an_analyst_asking_for_people_is_told_no_before_anything_about_the_query(
    client: Client, cast: Cast
) -> None:
    headers = {"Authorization": f"Bearer {cast.token('analyst')}"}
    for query in ("foo=1", "q=Kairat&q=Aigul", "limit=0", "q=Kairat&birth_year=2090"):
        response = client.get(f"/api/v1/people?{query}", headers=headers)
        assert response.status_code == 403, (query, response.content)
    # Nor about the body a write takes.
    response = client.post("/api/v1/people", {}, content_type="application/json", headers=headers)
    assert response.status_code == 403, response.content


def test_a_refused_token_still_answers_401_first(client: Client) -> None:
    response = client.get("/api/v1/people?name=Kairat")
    assert response.status_code == 401
    response = client.post(
        "/api/v1/people?dry_run=true&dry_run=1", headers={"Authorization": "Bearer nope"}
    )
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
