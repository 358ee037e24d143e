"""TOTP enrolment, the sign-in step after the password, and the mandatory setting."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from qandas.accounts.models import Membership, Organisation, Role, User
from qandas.audit.models import AuditEvent, Outcome, Verb

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.create(slug="net", name="Net")


@pytest.fixture
def member(organisation: Organisation) -> User:
    user = User.objects.create(username="bolat")
    Membership.objects.create(user=user, organisation=organisation, role=Role.LAWYER)
    return user


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:06d}"


def test_enrol_scan_and_confirm(client: Client, member: User) -> None:
    clock = time_machine.travel(timezone.now(), tick=False)
    traveller = clock.start()
    client.force_login(member)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert b"qr.svg" in page.content
    qr = client.get("/accounts/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    wrong = client.post("/accounts/two-factor/", {"token": other_code(device)})
    assert wrong.status_code == 200
    assert b"not right" in wrong.content
    traveller.shift(5)  # django-otp slows down guessing after a wrong code
    response = client.post("/accounts/two-factor/", {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(verb=Verb.SECOND_FACTOR, actor=member).exists()
    clock.stop()


def other_code(device: TOTPDevice) -> str:
    """A well-formed code that is not the current one."""
    return "000000" if code_for(device) != "000000" else "111111"


def test_a_user_with_an_authenticator_must_enter_a_code_after_the_password(
    client: Client, member: User
) -> None:
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    bad = client.post("/accounts/two-factor/verify/", {"token": "12345x", "next": "/"})
    assert bad.status_code == 200
    assert client.get("/").status_code == 302
    good = client.post("/accounts/two-factor/verify/", {"token": code_for(device), "next": "/"})
    assert good.status_code == 302
    assert good["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_code_is_audited_as_a_failure(client: Client, member: User) -> None:
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    client.force_login(member)
    client.post("/accounts/two-factor/verify/", {"token": other_code(device)})
    assert AuditEvent.objects.filter(verb=Verb.SECOND_FACTOR, outcome=Outcome.FAILURE).exists()


def test_verify_does_not_redirect_off_site(client: Client, member: User) -> None:
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    client.force_login(member)
    response = client.post(
        "/accounts/two-factor/verify/", {"token": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_organisation_setting_makes_the_second_factor_mandatory(
    client: Client, member: User, organisation: Organisation
) -> None:
    client.force_login(member)
    assert client.get("/").status_code == 200
    organisation.require_two_factor = True
    organisation.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    # The API and the enrolment page stay reachable; everything else waits.
    assert client.get("/accounts/tokens/").status_code == 302
    assert client.get("/accounts/two-factor/").status_code == 200
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    client.post("/accounts/two-factor/", {"token": code_for(device)})
    assert client.get("/").status_code == 200
