"""Test helpers shared by every app: the named cast and the access-matrix check."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from qandas.accounts.models import ApiToken, City, Membership, Organisation, Role, User


@dataclass
class Cast:
    """The users every test shares (CONVENTIONS 17). Passwords are never hashed here."""

    organisation: Organisation
    other_organisation: Organisation
    karachi: City
    quetta: City
    peshawar: City
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def membership(self, name: str) -> Membership:
        return Membership.objects.get(user=self.users[name])

    def token(self, name: str) -> str:
        """A fresh API token for this cast member's membership."""
        return ApiToken.issue(self.membership(name), by=None)[1]

    def in_other_organisation(self, name: str) -> bool:
        return self.membership(name).organisation_id == self.other_organisation.pk


# Given names enough for dozens of namesakes sharing a family name (matching's tests).
GIVEN_NAMES = (  # noqa: SIM905 (a list of words, as words)
    "Aidos Berik Chingiz Daniyar Erlan Farkhat Galym Kairat Lazzat Marat Nurlan Olzhas "
    "Rustem Serik Talgat Ulan Yerbol Zhanibek Askhat Bauyrzhan Dias Ersain Gaziz Kanat "
    "Madi Nurbol Ruslan Sanzhar Timur Zhandos Abylai Bekzat Dulat Eldar Ilyas Kuat Miras"
).split()

# name: (role, city slugs, in the other organisation)
CAST = {
    "coordinator": (Role.COORDINATOR, ["karachi"], False),
    "quetta_coordinator": (Role.COORDINATOR, ["quetta"], False),
    "lawyer": (Role.LAWYER, ["karachi", "quetta", "peshawar"], False),
    "liaison": (Role.LIAISON, ["karachi", "quetta", "peshawar"], False),
    "analyst": (Role.ANALYST, ["karachi", "quetta", "peshawar"], False),
    "admin": (Role.ADMIN, ["karachi", "quetta", "peshawar"], False),
    "outsider": (Role.COORDINATOR, ["karachi"], True),
    "outsider_admin": (Role.ADMIN, ["karachi"], True),
}


def build_cast() -> Cast:
    organisation = Organisation.objects.create(slug="test-network", name="Test Network")
    other = Organisation.objects.create(slug="other-network", name="Other Network")
    cities = {
        slug: City.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
        for slug in ("karachi", "quetta", "peshawar")
    }
    cast = Cast(organisation, other, cities["karachi"], cities["quetta"], cities["peshawar"])
    for name, (role, city_slugs, elsewhere) in CAST.items():
        user = User(username=name, email=f"{name}@example.invalid")
        user.set_unusable_password()
        user.save()
        membership = Membership.objects.create(
            user=user, organisation=other if elsewhere else organisation, role=role
        )
        membership.cities.set([cities[slug] for slug in city_slugs])
        cast.users[name] = user
    return cast


def _request(client: Client, method: str, url: str, data: Any, *, token: str | None) -> Any:
    kwargs: dict[str, Any] = {}
    if token is not None:
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
        if data is not None:
            kwargs["content_type"] = "application/json"
    return (
        getattr(client, method)(url, data, **kwargs)
        if data is not None
        else getattr(client, method)(url, **kwargs)
    )


def check_access(
    client: Client,
    cast: Cast,
    url: str,
    *,
    allowed: Iterable[str],
    method: str = "get",
    data: Any = None,
    api: bool = False,
    other_org_status: int = 404,
    refused_status: int = 403,
    unchanged: Callable[[], Any] | None = None,
    ok_statuses: Iterable[int] = (200, 201, 204, 302),
    overrides: dict[str, int] | None = None,
) -> None:
    """Check one view or endpoint against every member of the cast.

    Anonymous users go to the login page (HTML) or get 401 (API); members not in
    ``allowed`` get ``refused_status``, members of the other organisation
    ``other_org_status`` (404 for an object: theirs and missing look alike); and
    after every refused request ``unchanged()`` returns what it returned before.
    Allowed members are tried last, since their writes may change things.
    ``overrides`` pins the status for particular members (for example a member of
    the other organisation refused by role, with 403, before any object is looked up).
    """
    overrides = overrides or {}
    allowed = set(allowed)
    before = unchanged() if unchanged else None

    def same() -> None:
        if unchanged is not None:
            assert unchanged() == before, f"a refused {method.upper()} {url} changed data"

    client.logout()
    response = _request(client, method, url, data, token=None)
    if api:
        assert response.status_code == 401, (url, "anonymous", response.status_code)
        assert response.json()["detail"]
    else:
        assert response.status_code == 302, (url, "anonymous", response.status_code)
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), response[
            "Location"
        ]
    same()

    refused = [name for name in cast.users if name not in allowed]
    for name in refused + sorted(allowed):
        token = None
        if api:
            token = cast.token(name)
        else:
            client.force_login(cast.users[name])
        response = _request(client, method, url, data, token=token)
        if name in overrides:
            assert response.status_code == overrides[name], (url, name, response.status_code)
        elif name in allowed:
            assert response.status_code in set(ok_statuses), (url, name, response.status_code)
        else:
            expected = other_org_status if cast.in_other_organisation(name) else refused_status
            assert response.status_code == expected, (url, name, response.status_code, expected)
            if api:
                assert response.json()["detail"], (url, name)
        if name not in allowed:
            same()
        client.logout()


@dataclass
class Case:
    name: str  # URL name (HTML) or "METHOD /api/v1/path" as in the OpenAPI document
    url: Callable[[dict[str, Any]], str]
    allowed: set[str]
    method: str = "get"
    data: Any = None
    refused_status: int = 403
    overrides: dict[str, int] = field(default_factory=dict)
    unchanged: Callable[[dict[str, Any]], Any] | None = None


def run_case(client: Client, cast: Cast, objects: dict[str, Any], case: Case, api: bool) -> None:
    check_access(
        client,
        cast,
        case.url(objects),
        allowed=case.allowed,
        method=case.method,
        data=case.data,
        api=api,
        refused_status=case.refused_status,
        overrides=case.overrides,
        unchanged=(lambda: case.unchanged(objects)) if case.unchanged else None,  # type: ignore[misc]
    )


def collect_cases(name: str) -> list[Case]:
    """Every ``HTML_CASES`` or ``API_CASES`` list in the apps' ``test_access*.py`` modules."""
    root = Path(__file__).resolve().parent
    cases: list[Case] = []
    for path in sorted(root.glob("**/tests/test_access*.py")):
        module_name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        cases.extend(getattr(importlib.import_module(module_name), name, []))
    return cases


def forks_of(monkeypatch: Any) -> list[str]:
    """The start methods asked of ``multiprocessing`` for the processes work is shared
    out to (``lib.forked``), as it is asked (they still start): a test of a parallel path
    checks that it was taken."""
    from qandas.lib import forked

    asked: list[str] = []
    real = forked.multiprocessing.get_context

    def spy(method: str) -> object:
        asked.append(method)
        return real(method)

    monkeypatch.setattr(forked.multiprocessing, "get_context", spy)
    return asked


BROWSER_PASSWORD = "a long browser test password"  # noqa: S105  (browser tests only)


def member(username: str, organisation: Organisation, role: str, cities: Iterable[City]) -> User:
    """A user of ``organisation`` in ``role`` for ``cities``, who signs in with
    ``BROWSER_PASSWORD`` (the browser tests type it)."""
    user = User.objects.create_user(username, f"{username}@example.invalid", BROWSER_PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=role).cities.set(cities)
    return user


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign ``username`` in through the login page, with ``BROWSER_PASSWORD``."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
