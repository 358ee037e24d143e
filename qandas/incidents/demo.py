"""The custody scenario in the demo: places, a raid, searches, a disappearance, deportations.

Steps 2 to 5 of the scenario, lived through by invented people whose names are
written in Latin, Kazakh Cyrillic and Perso-Arabic script; none is taken from the
news report the scenario comes from. Police stations and courts are invented too;
only the two border crossings, Torkham and Chaman, are real. Every time is relative
to the moment the demo is loaded, so that right after ``manage.py demo`` the
custody board shows every kind of alarm:

- Karachi: a raid about 30 hours ago took two brothers and their cousin; the
  protection letter was shown and ignored; three police stations were asked and
  none admits holding them (not located: alarm; not produced before a magistrate).
- Karachi: a man missing for three days (not located: alarm).
- Peshawar: two brothers held, produced, then deported through Torkham ten days
  ago and not heard from since (out of contact).
- Quetta: a man arrested 14 hours ago and not yet located (not located: warning).
- Quetta: a man held at a police station whose court hearing is tomorrow (hearing).
- And two who are not on the board: one released, one deported through Chaman who
  has since called.

Loaded once: a second run finds the first raid's event (fixed idempotency keys) and
adds no people or events; places and the duty rota are only added where missing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from qandas.accounts.demo import Demo, demo_loaded
from qandas.accounts.models import City, Organisation, User
from qandas.incidents import actions
from qandas.incidents.clocks import evaluate
from qandas.incidents.models import (
    AssignmentRole,
    Channel,
    ClockSettings,
    DutyRota,
    Episode,
    Event,
    EventKind,
    Place,
    PlaceKind,
    Reliability,
    SearchAnswer,
    Source,
)
from qandas.incidents.models.events import DocumentShown
from qandas.people.models import DatePrecision, Household, NameSource, Person, Relationship, Sex

# Every demo event's idempotency key is derived from this namespace and a fixed label.
NAMESPACE = uuid.UUID("6f0e7a53-2c1b-4f52-9d0a-5b8e1c4d7a20")
# The first raid's key: if an event carries it, the custody scenario is already loaded.
LOADED_MARK = "karachi-raid"
ROTA_DAYS = 7

TORKHAM = "Torkham border crossing"
CHAMAN = "Chaman border crossing (Friendship Gate)"

# (kind, name, city slug or None, latitude, longitude)
PLACES: list[tuple[str, str, str | None, str | None, str | None]] = [
    (PlaceKind.BORDER_CROSSING, TORKHAM, None, "34.100600", "71.091700"),
    (PlaceKind.BORDER_CROSSING, CHAMAN, None, "30.905000", "66.440000"),
    (PlaceKind.POLICE_STATION, "Saddar Lane Police Station", "karachi", None, None),
    (PlaceKind.POLICE_STATION, "Lyari Crescent Police Station", "karachi", None, None),
    (PlaceKind.POLICE_STATION, "Manghopir Road Police Station", "karachi", None, None),
    (PlaceKind.POLICE_STATION, "Korangi Creek Police Station", "karachi", None, None),
    (PlaceKind.COURT, "Karachi City Courts, Judicial Magistrate VII", "karachi", None, None),
    (PlaceKind.COURT, "Karachi East District Court", "karachi", None, None),
    (PlaceKind.POLICE_STATION, "Sariab Road Police Station", "quetta", None, None),
    (PlaceKind.POLICE_STATION, "Pashtunabad Police Station", "quetta", None, None),
    (PlaceKind.POLICE_STATION, "Kuchlak Bypass Police Station", "quetta", None, None),
    (PlaceKind.COURT, "Quetta District Court, Magistrate II", "quetta", None, None),
    (PlaceKind.POLICE_STATION, "Board Bazaar Police Station", "peshawar", None, None),
    (PlaceKind.POLICE_STATION, "Hayatabad Phase 9 Police Station", "peshawar", None, None),
    (PlaceKind.POLICE_STATION, "Tehkal Chowk Police Station", "peshawar", None, None),
    (PlaceKind.COURT, "Peshawar Judicial Complex, Court 4", "peshawar", None, None),
]

Names = tuple[str, str, str]  # (Latin, Cyrillic, Arabic script), given name then family name


@dataclass(frozen=True)
class Member:
    key: str
    names: Names
    relationship: str
    woman: bool
    age: int
    father: str


# Households by key: (city slug, area, members). All names are invented.
HOUSEHOLDS: dict[str, tuple[str, str, list[Member]]] = {
    "karachi-raid": (
        "karachi",
        "Manghopir",
        [
            Member(
                "kairat",
                ("Kairat Saparbekov", "Сапарбеков Қайрат", "قیرات ساپاربیکوف"),
                Relationship.HEAD,
                woman=False,
                age=61,
                father="Abzal",
            ),
            Member(
                "zhibek",
                ("Zhibek Saparbekova", "Сапарбекова Жібек", "ژیبک ساپاربیکوا"),
                Relationship.SPOUSE,
                woman=True,
                age=57,
                father="Omirbek",
            ),
            Member(
                "ruslan",
                ("Ruslan Saparbekov", "Сапарбеков Руслан", "روسلان ساپاربیکوف"),
                Relationship.CHILD,
                woman=False,
                age=34,
                father="Kairat",
            ),
            Member(
                "aizhan",
                ("Aizhan Saparbekova", "Сапарбекова Айжан", "آیژان ساپاربیکوا"),
                Relationship.OTHER,
                woman=True,
                age=30,
                father="Bakytzhan",
            ),
            Member(
                "dias",
                ("Dias Saparbekov", "Сапарбеков Диас", "دیاس ساپاربیکوف"),
                Relationship.OTHER,
                woman=False,
                age=7,
                father="Ruslan",
            ),
            Member(
                "azamat",
                ("Azamat Saparbekov", "Сапарбеков Азамат", "آزامات ساپاربیکوف"),
                Relationship.CHILD,
                woman=False,
                age=29,
                father="Kairat",
            ),
            Member(
                "tomiris",
                ("Tomiris Saparbekova", "Сапарбекова Томирис", "تومیریس ساپاربیکوا"),
                Relationship.OTHER,
                woman=True,
                age=26,
                father="Serikbol",
            ),
            Member(
                "dauren",
                ("Dauren Mukashev", "Мұқашев Дәурен", "داورن مقاشوف"),
                Relationship.OTHER,
                woman=False,
                age=31,
                father="Esengeldi",
            ),
        ],
    ),
    "karachi-missing": (
        "karachi",
        "Korangi",
        [
            Member(
                "galym",
                ("Galym Tursynov", "Тұрсынов Ғалым", "غالیم تورسینوف"),
                Relationship.HEAD,
                woman=False,
                age=44,
                father="Tursyn",
            ),
            Member(
                "akmaral",
                ("Akmaral Tursynova", "Тұрсынова Ақмарал", "آقمرال تورسینوا"),
                Relationship.SPOUSE,
                woman=True,
                age=40,
                father="Nurbek",
            ),
        ],
    ),
    "peshawar-deported": (
        "peshawar",
        "Nasir Bagh",
        [
            Member(
                "kulyash",
                ("Kulyash Amanbayeva", "Аманбаева Күләш", "کولاش امان‌بایوا"),
                Relationship.HEAD,
                woman=True,
                age=63,
                father="Zhakyp",
            ),
            Member(
                "nurbol",
                ("Nurbol Amanbayev", "Аманбаев Нұрбол", "نوربول امان‌بایوف"),
                Relationship.CHILD,
                woman=False,
                age=38,
                father="Amanbai",
            ),
            Member(
                "zhandos",
                ("Zhandos Amanbayev", "Аманбаев Жандос", "ژاندوس امان‌بایوف"),
                Relationship.CHILD,
                woman=False,
                age=33,
                father="Amanbai",
            ),
        ],
    ),
    "peshawar-released": (
        "peshawar",
        "Tehkal",
        [
            Member(
                "almas",
                ("Almas Kudaibergenov", "Құдайбергенов Алмас", "الماس خدایبرگنوف"),
                Relationship.HEAD,
                woman=False,
                age=47,
                father="Kudaibergen",
            ),
            Member(
                "gaukhar",
                ("Gaukhar Kudaibergenova", "Құдайбергенова Гауһар", "گوهر خدایبرگنوا"),
                Relationship.SPOUSE,
                woman=True,
                age=45,
                father="Maksut",
            ),
        ],
    ),
    "quetta-unlocated": (
        "quetta",
        "Kuchlak",
        [
            Member(
                "talgat",
                ("Talgat Seitkaliev", "Сейітқалиев Талғат", "طلغت سیتقالیوف"),
                Relationship.HEAD,
                woman=False,
                age=36,
                father="Seitkali",
            ),
            Member(
                "ainur",
                ("Ainur Seitkalieva", "Сейітқалиева Айнұр", "آینور سیتقالیوا"),
                Relationship.SPOUSE,
                woman=True,
                age=33,
                father="Kenes",
            ),
        ],
    ),
    "quetta-hearing": (
        "quetta",
        "Pashtunabad",
        [
            Member(
                "samat",
                ("Samat Iskakov", "Ысқақов Самат", "صمت اسحاقوف"),
                Relationship.HEAD,
                woman=False,
                age=42,
                father="Iskak",
            ),
            Member(
                "botagoz",
                ("Botagoz Iskakova", "Ысқақова Ботагөз", "بوتاگوز اسحاقوا"),
                Relationship.SPOUSE,
                woman=True,
                age=39,
                father="Sabit",
            ),
        ],
    ),
    "quetta-called": (
        "quetta",
        "Satellite Town",
        [
            Member(
                "bakhyt",
                ("Bakhyt Zhunusov", "Жүнісов Бақыт", "بخت جونوسوف"),
                Relationship.HEAD,
                woman=False,
                age=52,
                father="Zhunus",
            ),
            Member(
                "sholpan",
                ("Sholpan Zhunusova", "Жүнісова Шолпан", "شولپان جونوسوا"),
                Relationship.SPOUSE,
                woman=True,
                age=49,
                father="Kuat",
            ),
        ],
    ),
}


def key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, label)


def is_loaded() -> bool:
    return Event.objects.filter(idempotency_key=key(LOADED_MARK)).exists()


def load_places(organisation: Organisation, cities: dict[str, City]) -> dict[str, Place]:
    """The demo's places, added where missing (a place the network edited is kept)."""
    places: dict[str, Place] = {}
    for kind, name, city, latitude, longitude in PLACES:
        places[name], _created = Place.objects.get_or_create(
            organisation=organisation,
            kind=kind,
            name=name,
            defaults={
                "city": cities[city] if city else None,
                "latitude": Decimal(latitude) if latitude else None,
                "longitude": Decimal(longitude) if longitude else None,
            },
        )
    return places


def load_rota(organisation: Organisation, cities: dict[str, City], users: dict[str, User]) -> int:
    """The demo lawyer on duty in every city today and the next six days, where unset."""
    today = timezone.localdate()
    created = 0
    for city in cities.values():
        for offset in range(ROTA_DAYS):
            _rota, made = DutyRota.objects.get_or_create(
                organisation=organisation,
                city=city,
                on=today + timedelta(days=offset),
                defaults={"lawyer": users["lawyer"], "set_by": users["admin"]},
            )
            created += made
    return created


def load_people(
    organisation: Organisation, cities: dict[str, City], now: datetime
) -> tuple[dict[str, Household], dict[str, Person]]:
    households: dict[str, Household] = {}
    people: dict[str, Person] = {}
    for number, (label, (city, area, members)) in enumerate(HOUSEHOLDS.items()):
        household = Household.objects.create(
            organisation=organisation,
            city=cities[city],
            area=area,
            address=f"House {17 + number * 23}, street {3 + number * 5}",
            phones=[f"+92300555{1000 + number:04d}"],
        )
        households[label] = household
        for member in members:
            latin, cyrillic, arabic = member.names
            person = Person.objects.create(
                organisation=organisation,
                current_city=cities[city],
                household=household,
                relationship=member.relationship,
                sex=Sex.FEMALE if member.woman else Sex.MALE,
                birth_date=(now - timedelta(days=member.age * 365 + 120)).date().replace(day=1),
                birth_date_precision=DatePrecision.MONTH,
                father_name=member.father,
                clan="Naiman" if city == "karachi" else "Kerei",
                place_of_origin="Jowzjan" if city == "peshawar" else "Kunduz",
                languages="Kazakh, Dari, Urdu",
            )
            person.set_names(
                [
                    {"text": latin, "source": NameSource.SELF},
                    {"text": cyrillic, "source": NameSource.EMBASSY_LIST},
                    {"text": arabic, "source": NameSource.POLICE_RECORD},
                ]
            )
            people[member.key] = person
    return households, people


def live_the_scenario(
    households: dict[str, Household],
    people: dict[str, Person],
    places: dict[str, Place],
    users: dict[str, User],
    now: datetime,
) -> None:
    """Record the events of scenario steps 2 to 5 through the incidents app's verbs."""

    def ago(**since: float) -> datetime:
        return now - timedelta(**since)

    karachi, quetta, peshawar, lawyer = (
        users["karachi"],
        users["quetta"],
        users["peshawar"],
        users["lawyer"],
    )

    def event(label: str, by: User, who: list[str], **values: Any) -> Event:
        outcome = actions.record_event(
            by=by,
            people=[people[k] for k in who],
            idempotency_key=key(label),
            now=now,
            **values,
        )
        return outcome.events[0]

    # Step 2, Karachi: the raid on the Saparbekov home takes the two sons and a cousin.
    taken = ["ruslan", "azamat", "dauren"]
    raid = actions.record_arrest(
        by=karachi,
        household=households["karachi-raid"],
        people=[people[k] for k in taken],
        occurred_at=ago(hours=30),
        place=None,
        document_shown=DocumentShown.IGNORED,
        idempotency_key=key(LOADED_MARK),
        source=Source.FAMILY,
        notes="Police in two vans at dawn. The father showed the family's protection letter; "
        "an officer looked at it and handed it back without a word.",
        now=now,
    )
    # Step 3: the father asks at three stations; none admits holding them.
    father = "Kairat Saparbekov (father)"
    for label, hours, station, answer in [
        ("karachi-search-1", 26, "Manghopir Road Police Station", SearchAnswer.DENIED),
        ("karachi-search-2", 22, "Saddar Lane Police Station", SearchAnswer.NOT_HERE),
        ("karachi-search-3", 8, "Lyari Crescent Police Station", SearchAnswer.NO_ANSWER),
    ]:
        event(
            label,
            karachi,
            taken,
            kind=EventKind.SEARCH,
            occurred_at=ago(hours=hours),
            place=places[station],
            answer=answer,
            asked_by=father,
            source=Source.FAMILY,
            reliability=Reliability.B,
        )
    arrest = raid.events[-1]
    for person_key in taken:
        episode = Episode.objects.get(person=people[person_key], opening_event=arrest)
        actions.assign(episode, by=karachi, wanted={AssignmentRole.LAWYER: lawyer})

    # Karachi: a man who went to work and never came back (step 4).
    event(
        "karachi-disappearance",
        karachi,
        ["galym"],
        kind=EventKind.DISAPPEARANCE,
        occurred_at=ago(days=3, hours=2),
        source=Source.FAMILY,
        reliability=Reliability.B,
        notes="Left for the vegetable market in the morning; his phone has been off since.",
    )

    # Peshawar: two brothers held, produced, and deported through Torkham (step 5).
    brothers = ["nurbol", "zhandos"]
    actions.record_arrest(
        by=peshawar,
        household=households["peshawar-deported"],
        people=[people[k] for k in brothers],
        occurred_at=ago(days=20),
        place=None,
        document_shown=DocumentShown.NOT_SHOWN,
        idempotency_key=key("peshawar-raid"),
        source=Source.FAMILY,
        now=now,
    )
    event(
        "peshawar-located",
        peshawar,
        brothers,
        kind=EventKind.LOCATED,
        occurred_at=ago(days=19, hours=12),
        place=places["Hayatabad Phase 9 Police Station"],
        source=Source.LAWYER,
        reliability=Reliability.A,
    )
    event(
        "peshawar-produced",
        lawyer,
        brothers,
        kind=EventKind.PRODUCED,
        occurred_at=ago(days=19),
        place=places["Peshawar Judicial Complex, Court 4"],
        source=Source.LAWYER,
        reliability=Reliability.A,
    )
    event(
        "peshawar-deported",
        peshawar,
        brothers,
        kind=EventKind.DEPORTATION,
        occurred_at=ago(days=10),
        place=places[TORKHAM],
        source=Source.POLICE,
        reliability=Reliability.C,
        notes="The station's duty officer said they were taken to Torkham in the morning.",
    )

    # Quetta: arrested at a checkpoint this morning, not located yet (step 3).
    event(
        "quetta-arrest",
        quetta,
        ["talgat"],
        kind=EventKind.ARREST,
        occurred_at=ago(hours=14),
        source=Source.WITNESS,
        reliability=Reliability.C,
        notes="Stopped at a checkpoint on the way to work, a neighbour saw it.",
    )

    # Quetta: held at Pashtunabad, produced, and due in court tomorrow.
    actions.record_arrest(
        by=quetta,
        household=households["quetta-hearing"],
        people=[people["samat"]],
        occurred_at=ago(days=3),
        place=None,
        document_shown=DocumentShown.IGNORED,
        idempotency_key=key("quetta-raid"),
        source=Source.FAMILY,
        now=now,
    )
    event(
        "quetta-located",
        quetta,
        ["samat"],
        kind=EventKind.SEARCH,
        occurred_at=ago(days=2, hours=14),
        place=places["Pashtunabad Police Station"],
        answer=SearchAnswer.CONFIRMED,
        asked_by="Botagoz Iskakova (wife)",
        source=Source.FAMILY,
        reliability=Reliability.B,
    )
    event(
        "quetta-produced",
        lawyer,
        ["samat"],
        kind=EventKind.PRODUCED,
        occurred_at=ago(days=2),
        place=places["Quetta District Court, Magistrate II"],
        source=Source.LAWYER,
        reliability=Reliability.A,
    )
    event(
        "quetta-hearing",
        lawyer,
        ["samat"],
        kind=EventKind.COURT_HEARING,
        occurred_at=now + timedelta(hours=20),
        place=places["Quetta District Court, Magistrate II"],
        source=Source.LAWYER,
        reliability=Reliability.A,
        notes="Bail application under the Foreigners Act.",
    )

    # Not on the board: released in Peshawar ...
    event(
        "peshawar-released-arrest",
        peshawar,
        ["almas"],
        kind=EventKind.ARREST,
        occurred_at=ago(days=5),
        place=places["Board Bazaar Police Station"],
        source=Source.WITNESS,
        reliability=Reliability.B,
    )
    event(
        "peshawar-released-produced",
        lawyer,
        ["almas"],
        kind=EventKind.PRODUCED,
        occurred_at=ago(days=4, hours=6),
        place=places["Peshawar Judicial Complex, Court 4"],
        source=Source.LAWYER,
        reliability=Reliability.A,
    )
    event(
        "peshawar-released",
        lawyer,
        ["almas"],
        kind=EventKind.RELEASE,
        occurred_at=ago(days=3),
        place=places["Board Bazaar Police Station"],
        source=Source.LAWYER,
        reliability=Reliability.A,
    )
    # ... and deported through Chaman, but he has called since.
    event(
        "quetta-called-arrest",
        quetta,
        ["bakhyt"],
        kind=EventKind.ARREST,
        occurred_at=ago(days=16),
        place=places["Sariab Road Police Station"],
        source=Source.FAMILY,
        reliability=Reliability.B,
    )
    event(
        "quetta-called-produced",
        lawyer,
        ["bakhyt"],
        kind=EventKind.PRODUCED,
        occurred_at=ago(days=15, hours=8),
        place=places["Quetta District Court, Magistrate II"],
        source=Source.LAWYER,
        reliability=Reliability.A,
    )
    event(
        "quetta-called-deported",
        quetta,
        ["bakhyt"],
        kind=EventKind.DEPORTATION,
        occurred_at=ago(days=12),
        place=places[CHAMAN],
        source=Source.POLICE,
        reliability=Reliability.C,
    )
    event(
        "quetta-called-contact",
        quetta,
        ["bakhyt"],
        kind=EventKind.CONTACT,
        occurred_at=ago(days=2, hours=3),
        channel=Channel.CALL,
        reported_location="With relatives on the other side of the border, safe for now.",
        source=Source.PERSON,
        reliability=Reliability.B,
    )


def load_custody(
    organisation: Organisation, cities: dict[str, City], users: dict[str, User]
) -> bool:
    """Add the custody scenario once; True if it was added by this call."""
    now = timezone.now()
    places = load_places(organisation, cities)
    load_rota(organisation, cities, users)
    ClockSettings.objects.get_or_create(organisation=organisation)
    if is_loaded():
        evaluate(now=now)
        return False
    households, people = load_people(organisation, cities, now)
    live_the_scenario(households, people, places, users, now)
    evaluate(now=now)
    return True


@receiver(demo_loaded, sender=Demo)
def add_demo_custody(
    sender: Any,
    organisation: Organisation,
    users: dict[str, User],
    cities: dict[str, City],
    **kwargs: Any,
) -> None:
    load_custody(organisation, cities, users)
