"""Sign-in, lockout, sign-out and CSRF, through the real login page."""

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from qandas.accounts.models import Membership, Organisation, Role, User
from qandas.audit.models import AuditEvent, Verb

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> User:
    organisation = Organisation.objects.create(slug="net", name="Net")
    user = User.objects.create_user("amina", "amina@example.invalid", PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.COORDINATOR)
    return user


def sign_in(client: Client, username: str, password: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def page_without_tokens(response: object) -> str:
    """The page with its per-request CSRF token blanked, to compare answers."""
    html = response.content.decode()  # type: ignore[attr-defined]
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    # The typed username is echoed back into its field; that is all that may differ.
    return re.sub(r'(id="id_username"[^>]*) value="[^"]*"', r"\1", html)


def test_sign_in_reaches_home_and_is_audited(client: Client, member: User) -> None:
    response = sign_in(client, "amina", PASSWORD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == "/"  # type: ignore[index]
    home = client.get("/")
    assert home.status_code == 200
    assert "Coordinator" in home.content.decode()
    event = AuditEvent.objects.get(verb=Verb.LOGIN)
    assert event.actor == member
    assert event.ip == "127.0.0.1"
    member.refresh_from_db()
    assert member.password.startswith("argon2")


def test_unknown_user_wrong_password_and_locked_account_look_alike(
    client: Client, member: User
) -> None:
    unknown = sign_in(client, "nobody-here", PASSWORD)
    wrong = sign_in(client, "amina", "not the password")
    for _attempt in range(4):
        sign_in(client, "amina", "not the password")
    # Locked now: even the right password gets the same answer.
    locked = sign_in(client, "amina", PASSWORD)
    statuses = {r.status_code for r in (unknown, wrong, locked)}  # type: ignore[attr-defined]
    assert statuses == {200}
    assert page_without_tokens(unknown) == page_without_tokens(wrong)
    assert page_without_tokens(wrong) == page_without_tokens(locked)
    assert "We could not sign you in" in page_without_tokens(locked)
    assert "_auth_user_id" not in client.session


def test_lockout_emails_the_owner_and_is_audited(client: Client, member: User) -> None:
    for _attempt in range(5):
        sign_in(client, "amina", "Zq9-typed-secret")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@example.invalid"]
    assert "locked" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(verb=Verb.LOCKED_OUT, object_code=member.code).exists()
    assert AuditEvent.objects.filter(verb=Verb.LOGIN_FAILED).count() >= 5
    # The typed password never reaches the audit trail or the email.
    assert "Zq9-typed-secret" not in mail.outbox[0].body


def test_lockout_cools_off_after_15_minutes(client: Client, member: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(5):
            sign_in(client, "amina", "wrong password")
        assert sign_in(client, "amina", PASSWORD).status_code == 200  # type: ignore[attr-defined]
        clock.shift(16 * 60)
        response = sign_in(client, "amina", PASSWORD)
        assert response.status_code == 302  # type: ignore[attr-defined]


def test_lockout_is_per_address_so_the_owner_elsewhere_still_gets_in(member: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(5):
        sign_in(attacker, "amina", "guess")
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(owner, "amina", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_sign_out_ends_the_session_and_clears_the_browser(client: Client, member: User) -> None:
    sign_in(client, "amina", PASSWORD)
    cookie = client.cookies["sessionid"].value
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "cookies" in response["Clear-Site-Data"]
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/").status_code == 302
    assert AuditEvent.objects.filter(verb=Verb.LOGOUT, actor=member).exists()


def test_post_without_csrf_token_is_refused_with_a_message(member: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"username": "amina", "password": PASSWORD})
    assert response.status_code == 403
    assert "security token" in response.content.decode()
    assert not AuditEvent.objects.filter(verb=Verb.LOGIN).exists()


def test_inactive_user_is_answered_like_a_wrong_password(client: Client, member: User) -> None:
    wrong = sign_in(client, "amina", "nope nope nope")
    member.is_active = False
    member.save()
    inactive = sign_in(client, "amina", PASSWORD)
    assert page_without_tokens(inactive) == page_without_tokens(wrong)


def test_every_page_sends_no_store_and_security_headers(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get("/")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize(("language", "direction"), [("ur", "rtl"), ("fa", "rtl"), ("kk", "ltr")])
def test_pages_set_lang_and_direction(client: Client, language: str, direction: str) -> None:
    response = client.get(LOGIN, headers={"Accept-Language": language})
    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


def test_no_inline_scripts_or_styles_in_pages(client: Client, member: User) -> None:
    client.force_login(member)
    for url in ("/", LOGIN, "/accounts/tokens/"):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html and " onclick=" not in html
