"""API tokens: issued by command or page, stored hashed, revoked, expired, refused."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from qandas.accounts.models import ApiToken, Membership, Role, hash_token
from qandas.audit.models import AuditEvent, Verb
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_issue_token_prints_the_token_alone_and_stores_only_its_hash(cast: Cast) -> None:
    out = StringIO()
    call_command("issue_token", "liaison", stdout=out)
    raw = out.getvalue().strip()
    assert "\n" not in raw and raw.startswith("qds_") and len(raw) > 40
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.membership.user == cast.liaison
    assert raw not in {token.key_hash, token.prefix}
    assert AuditEvent.objects.filter(verb=Verb.ISSUE_TOKEN, object_code=token.code).exists()


def test_issue_token_needs_org_when_the_user_has_several(cast: Cast, client: Client) -> None:
    Membership.objects.create(
        user=cast.liaison, organisation=cast.other_organisation, role=Role.LIAISON
    )
    with pytest.raises(CommandError, match="--org"):
        call_command("issue_token", "liaison", stdout=StringIO())
    out = StringIO()
    call_command("issue_token", "liaison", "--org", "other-network", stdout=out)
    me = client.get("/api/v1/me", headers=bearer(out.getvalue().strip())).json()
    # The token speaks for the one membership it was issued for.
    assert me["membership"]["organisation"]["slug"] == "other-network"


def test_issue_token_for_an_unknown_user_fails_clearly() -> None:
    with pytest.raises(CommandError, match="No active user"):
        call_command("issue_token", "nobody", stdout=StringIO())


def test_a_token_opens_the_api_until_revoked(cast: Cast, client: Client) -> None:
    _token, raw = ApiToken.issue(cast.membership("lawyer"), by=None)
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["membership"]["role"] == "lawyer"
    call_command("revoke_token", "--prefix", raw[:12], stdout=StringIO())
    refused = client.get("/api/v1/me", headers=bearer(raw))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This API token has been revoked."}
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_prefix_that_starts_with_a_dash_can_be_revoked(cast: Cast) -> None:
    """Token secrets are URL-safe base64, so a prefix may start with ``-``.

    Given bare, argparse would read it as an option; the page shows the token as
    ``qds_PREFIX…``, which is what the command takes.
    """
    token, _raw = ApiToken.issue(cast.membership("lawyer"), by=None)
    ApiToken.objects.filter(pk=token.pk).update(prefix="-FWnILTs")
    call_command("revoke_token", "--prefix", "qds_-FWnILTs", stdout=StringIO())
    token.refresh_from_db()
    assert token.is_revoked


def test_an_expired_token_is_refused_with_its_reason(cast: Cast, client: Client) -> None:
    _token, raw = ApiToken.issue(cast.membership("lawyer"), by=None)
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        response = client.get("/api/v1/me", headers=bearer(raw))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Send your API token as: Authorization: Bearer TOKEN."),
        ("Token abc", "Malformed Authorization header; expected: Authorization: Bearer TOKEN."),
        ("Bearer", "Malformed Authorization header; expected: Authorization: Bearer TOKEN."),
        ("Bearer a b", "Malformed Authorization header; expected: Authorization: Bearer TOKEN."),
        ("Bearer qds_not-a-real-token", "This API token is not valid."),
    ],
)
def test_missing_or_malformed_authorization_is_a_401_with_a_message(
    client: Client, header: str | None, message: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_a_disabled_membership_closes_its_tokens(cast: Cast, client: Client) -> None:
    _token, raw = ApiToken.issue(cast.membership("analyst"), by=None)
    Membership.objects.filter(user=cast.analyst).update(is_active=False)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_tokens_page_issues_once_and_revokes(cast: Cast, client: Client) -> None:
    client.force_login(cast.coordinator)
    membership = cast.membership("coordinator")
    page = client.post("/accounts/tokens/", {"membership": membership.pk, "label": "laptop"})
    assert page.status_code == 200
    raw = page.context["new_token"]
    assert raw in page.content.decode()
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert client.get("/accounts/tokens/").content.decode().count(raw) == 0
    response = client.post(f"/accounts/tokens/{token.code}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == cast.coordinator
    assert AuditEvent.objects.filter(verb=Verb.REVOKE_TOKEN, actor=cast.coordinator).exists()


def test_tokens_page_refuses_a_membership_that_is_not_yours(cast: Cast, client: Client) -> None:
    client.force_login(cast.coordinator)
    other = cast.membership("outsider")
    page = client.post("/accounts/tokens/", {"membership": other.pk})
    assert page.status_code == 200
    assert page.context["new_token"] is None
    assert not ApiToken.objects.filter(membership=other).exists()


def test_api_revoke_by_code(cast: Cast, client: Client) -> None:
    token, raw = ApiToken.issue(cast.membership("liaison"), by=None)
    response = client.delete(f"/api/v1/tokens/{token.code}", headers=bearer(raw))
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
