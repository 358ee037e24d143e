"""``manage.py demo`` creates the promised organisations and users, idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from qandas.accounts.demo import DEMO_PASSWORD
from qandas.accounts.models import Membership, Organisation, User

# The demo is loaded by bin/run on SQLite; its tests run in that pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.once]


@override_settings(DEBUG=True)
def test_demo_is_idempotent_and_prints_how_to_sign_in() -> None:
    first, second = StringIO(), StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    assert User.objects.count() == 8
    assert Organisation.objects.count() == 2
    assert Membership.objects.count() == 8
    assert DEMO_PASSWORD in first.getvalue()
    assert "/accounts/login/" in first.getvalue()
    roles = {m.user.username: (m.role, m.organisation.slug) for m in Membership.objects.all()}
    assert roles["karachi"] == ("coordinator", "steppe-bridge")
    assert roles["lawyer"][0] == "lawyer"
    assert roles["outsider"] == ("coordinator", "harbour-aid")
    assert [c.slug for c in Membership.objects.get(user__username="quetta").cities.all()] == [
        "quetta"
    ]
    assert sorted(c.slug for c in Membership.objects.get(user__username="admin").cities.all()) == [
        "karachi",
        "peshawar",
        "quetta",
    ]
    assert User.objects.get(username="liaison").check_password(DEMO_PASSWORD)
    assert not Organisation.objects.filter(require_two_factor=True).exists()


def test_without_debug_the_demo_sets_no_password() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    assert DEMO_PASSWORD not in out.getvalue()
    assert not User.objects.get(username="admin").has_usable_password()
