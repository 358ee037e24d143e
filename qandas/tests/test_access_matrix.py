"""Every page and every API operation against every member of the cast.

Each app lists its cases as ``HTML_CASES`` and ``API_CASES`` in a test module named
``test_access*.py``; the coverage tests below fail when a URL or API operation has
no case in any of them, so no view escapes the access check.
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from qandas.accounts.models import ApiToken, Membership, Organisation
from qandas.audit.models import AuditEvent, Verb
from qandas.audit.record import record
from qandas.test import Case, Cast, collect_cases, run_case

pytestmark = pytest.mark.django_db

EVERYONE = {
    "coordinator",
    "quetta_coordinator",
    "lawyer",
    "liaison",
    "analyst",
    "admin",
    "outsider",
    "outsider_admin",
}
# Pages anyone may open, signed in or not.
PUBLIC = {"accounts:login", "accounts:logout", "healthz", "set_language", "api_not_found"}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    token, _raw = ApiToken.issue(cast.membership("coordinator"), by=None)
    event = record(Verb.UPDATE, actor=cast.admin, organisation=cast.organisation)
    return {
        "organisation": cast.organisation,
        "membership": cast.membership("coordinator"),
        "token": token,
        "event": event,
    }


def org_state(o: dict[str, Any]) -> Any:
    return Organisation.objects.filter(pk=o["organisation"].pk).values_list(
        "name", "require_two_factor"
    )[0]


def membership_state(o: dict[str, Any]) -> Any:
    m = Membership.objects.get(pk=o["membership"].pk)
    return m.role, m.is_active, sorted(c.slug for c in m.cities.all())


def token_state(o: dict[str, Any]) -> Any:
    return ApiToken.objects.get(pk=o["token"].pk).revoked_at


OUTSIDER_BY_ROLE = {"outsider": 403}

HTML_CASES = [
    Case("home", lambda o: "/", EVERYONE),
    Case("accounts:two_factor", lambda o: "/accounts/two-factor/", EVERYONE),
    Case("accounts:two_factor_qr", lambda o: "/accounts/two-factor/qr.svg", EVERYONE),
    Case("accounts:verify", lambda o: "/accounts/two-factor/verify/", EVERYONE),
    Case("accounts:tokens", lambda o: "/accounts/tokens/", EVERYONE),
    Case(
        "accounts:revoke_token",
        lambda o: f"/accounts/tokens/{o['token'].code}/revoke/",
        {"coordinator", "admin"},
        method="post",
        refused_status=404,
        unchanged=token_state,
    ),
    Case(
        "accounts:organisation",
        lambda o: f"/organisations/{o['organisation'].code}/",
        {"admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
    Case(
        "accounts:organisation",
        lambda o: f"/organisations/{o['organisation'].code}/",
        {"admin"},
        method="post",
        data={"name": "Taken over", "require_two_factor": "on"},
        overrides=OUTSIDER_BY_ROLE,
        unchanged=org_state,
    ),
    Case(
        "accounts:membership_edit",
        lambda o: f"/members/{o['membership'].code}/edit/",
        {"admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
    Case(
        "accounts:membership_edit",
        lambda o: f"/members/{o['membership'].code}/edit/",
        {"admin"},
        method="post",
        data={"role": "admin", "is_active": "on"},
        overrides=OUTSIDER_BY_ROLE,
        unchanged=membership_state,
    ),
    Case(
        "audit:list", lambda o: "/audit/", {"admin", "outsider_admin"}, overrides=OUTSIDER_BY_ROLE
    ),
    Case(
        "audit:detail",
        lambda o: f"/audit/{o['event'].code}/",
        {"admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
]

API_CASES = [
    Case("GET /api/v1/me", lambda o: "/api/v1/me", EVERYONE),
    Case("GET /api/v1/tokens", lambda o: "/api/v1/tokens", EVERYONE),
    Case(
        "DELETE /api/v1/tokens/{code}",
        lambda o: f"/api/v1/tokens/{o['token'].code}",
        {"coordinator", "admin"},
        method="delete",
        refused_status=404,
        unchanged=token_state,
    ),
    Case(
        "GET /api/v1/members",
        lambda o: "/api/v1/members",
        {"admin", "outsider_admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
    Case(
        "GET /api/v1/members/{code}",
        lambda o: f"/api/v1/members/{o['membership'].code}",
        {"admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
    Case(
        "PATCH /api/v1/members/{code}",
        lambda o: f"/api/v1/members/{o['membership'].code}",
        {"admin"},
        method="patch",
        data={"role": "admin", "cities": ["quetta"]},
        overrides=OUTSIDER_BY_ROLE,
        unchanged=membership_state,
    ),
    Case(
        "GET /api/v1/audit-events",
        lambda o: "/api/v1/audit-events",
        {"admin", "outsider_admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
    Case(
        "GET /api/v1/audit-events/{code}",
        lambda o: f"/api/v1/audit-events/{o['event'].code}",
        {"admin"},
        overrides=OUTSIDER_BY_ROLE,
    ),
]


@pytest.mark.parametrize("case", HTML_CASES, ids=lambda c: f"{c.method} {c.name}")
def test_page_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    run_case(client, cast, objects, case, api=False)


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_access(client: Client, cast: Cast, objects: dict[str, Any], case: Case) -> None:
    run_case(client, cast, objects, case, api=True)


def url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_has_an_access_case() -> None:
    pages = {name for name in url_names(get_resolver()) if not name.startswith("api:")}
    covered = {case.name for case in collect_cases("HTML_CASES")} | PUBLIC
    assert pages - covered == set(), "pages with no access case"


def test_every_api_operation_has_an_access_case(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations - {case.name for case in collect_cases("API_CASES")} == set()


def test_the_audit_trail_has_no_write_endpoints(
    client: Client, cast: Cast, objects: dict[str, Any]
) -> None:
    client.force_login(cast.admin)
    event = objects["event"]
    assert client.post(f"/audit/{event.code}/", {"verb": "login"}).status_code == 405
    token = cast.token("admin")
    headers = {"Authorization": f"Bearer {token}"}
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/audit-events/{event.code}", headers=headers)
        assert response.status_code == 405
        assert response.json()["detail"]
    assert AuditEvent.objects.get(pk=event.pk).verb == Verb.UPDATE
