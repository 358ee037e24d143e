"""The demo community's organisations, cities and users (DESIGN section 5).

Every name here is invented. Later apps add their records by connecting to
``demo_loaded``, which is sent after the users exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.dispatch import Signal

from qandas.accounts.models import City, Membership, Organisation, Role, User

DEMO_PASSWORD = "qandas-demo-2026"  # noqa: S105  (only ever set with DEBUG on)

# Sent with ``organisation``, ``other_organisation``, ``users`` (by username) and
# ``cities`` (by slug) once the accounts exist; receivers must be idempotent too.
demo_loaded = Signal()

CITIES = [("karachi", "Karachi"), ("quetta", "Quetta"), ("peshawar", "Peshawar")]
ALL_CITIES = [slug for slug, _name in CITIES]

# username, role, cities, organisation (0 = first, 1 = second)
USERS = [
    ("karachi", Role.COORDINATOR, ["karachi"], 0),
    ("quetta", Role.COORDINATOR, ["quetta"], 0),
    ("peshawar", Role.COORDINATOR, ["peshawar"], 0),
    ("lawyer", Role.LAWYER, ALL_CITIES, 0),
    ("liaison", Role.LIAISON, ALL_CITIES, 0),
    ("analyst", Role.ANALYST, ALL_CITIES, 0),
    ("admin", Role.ADMIN, ALL_CITIES, 0),
    ("outsider", Role.COORDINATOR, ["karachi"], 1),
]


@dataclass
class Demo:
    organisation: Organisation
    other_organisation: Organisation
    users: dict[str, User]
    cities: dict[str, City]
    password: str | None


@transaction.atomic
def load() -> Demo:
    """Create or reset the demo accounts. Safe to run any number of times."""
    cities = {
        slug: City.objects.update_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in CITIES
    }
    organisations = [
        Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "require_two_factor": False}
        )[0]
        for slug, name in [
            ("steppe-bridge", "Steppe Bridge Network"),
            ("harbour-aid", "Harbour Legal Aid"),
        ]
    ]
    password = DEMO_PASSWORD if settings.DEBUG else None
    # One hash for every demo user: they share a printed password anyway, and each
    # hash costs a noticeable fraction of a second.
    hashed = make_password(password) if password else None
    users: dict[str, User] = {}
    for username, role, city_slugs, org_index in USERS:
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"email": f"{username}@demo.invalid", "is_active": True},
        )
        if hashed:
            user.password = hashed
        else:
            user.set_unusable_password()
        user.save()
        membership, _created = Membership.objects.update_or_create(
            user=user,
            organisation=organisations[org_index],
            defaults={"role": role, "is_active": True},
        )
        membership.cities.set([cities[slug] for slug in city_slugs])
        users[username] = user
    demo = Demo(organisations[0], organisations[1], users, cities, password)
    demo_loaded.send(
        sender=Demo,
        organisation=demo.organisation,
        other_organisation=demo.other_organisation,
        users=users,
        cities=cities,
    )
    return demo
