"""Demo households and people, modelled on the scenario and entirely invented.

Names are common Kazakh given names and made-up family names, written in Latin,
Kazakh Cyrillic and Perso-Arabic script; none is taken from the news report the
scenario comes from. Dates are relative to the day the demo is loaded.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from qandas.accounts.demo import Demo, demo_loaded
from qandas.accounts.models import City, Organisation
from qandas.people.models import DatePrecision, Household, NameSource, Person, Relationship, Sex

# (Latin, Cyrillic, Arabic script)
MEN = [
    ("Nurlan", "Нұрлан", "نورلان"),
    ("Aidos", "Айдос", "آیدوس"),
    ("Bolat", "Болат", "بولات"),
    ("Daulet", "Дәулет", "داولت"),
    ("Erlan", "Ерлан", "ارلان"),
    ("Marat", "Марат", "مرات"),
    ("Serik", "Серік", "سریک"),
    ("Askar", "Асқар", "اسکر"),
    ("Timur", "Тимур", "تیمور"),
    ("Kanat", "Қанат", "قنات"),
    ("Arman", "Арман", "آرمان"),
    ("Beibit", "Бейбіт", "بیبیت"),
]
WOMEN = [
    ("Aigerim", "Әйгерім", "آیگریم"),
    ("Gulnara", "Гүлнара", "گلناره"),
    ("Dana", "Дана", "دانا"),
    ("Saule", "Сәуле", "ساوله"),
    ("Zhanar", "Жанар", "ژانار"),
    ("Aliya", "Әлия", "عالیه"),
    ("Madina", "Мадина", "مدینه"),
    ("Asel", "Әсел", "اسل"),
    ("Raushan", "Раушан", "روشن"),
    ("Bibigul", "Бибігүл", "بی‌بی‌گل"),
]
# Family names: (Latin, Cyrillic, Arabic script); women take the -a / -а / ـه form.
FAMILIES = [
    ("Tokhtarov", "Тохтаров", "تختاروف"),
    ("Baimukhanov", "Баймұханов", "بایمخانوف"),
    ("Zhaksybekov", "Жақсыбеков", "جقسی‌بیکوف"),
    ("Omarov", "Омаров", "عمروف"),
    ("Kenzhebayev", "Кенжебаев", "کنجه‌بایوف"),
    ("Sultanbekov", "Сұлтанбеков", "سلطان‌بیکوف"),
    ("Abenov", "Әбенов", "عابنوف"),
    ("Kuanyshev", "Қуанышев", "قوانیشوف"),
    ("Dosmukhamedov", "Досмұхамедов", "دوست‌محمدوف"),
    ("Zhanuzakov", "Жанұзақов", "جانوزاقوف"),
    ("Myrzakhmetov", "Мырзахметов", "میرزااحمدوف"),
    ("Serikbayev", "Серікбаев", "سریک‌بایوف"),
]
CLANS = ["Naiman", "Kerei", "Argyn", "Konyrat", "Kypshak", "Uak"]
ORIGINS = ["Mazar-i-Sharif", "Kunduz", "Herat", "Baghlan", "Jowzjan", "Takhar"]
AREAS = {
    "karachi": ["Gulshan-e-Iqbal", "Sohrab Goth", "Orangi", "Korangi"],
    "quetta": ["Pashtunabad", "Satellite Town", "Sariab", "Kuchlak"],
    "peshawar": ["Board Bazaar", "Hayatabad", "Tehkal", "Nasir Bagh"],
}
HOUSEHOLDS_PER_CITY = {"karachi": 16, "quetta": 14, "peshawar": 12}


def family_form(name: tuple[str, str, str], woman: bool) -> tuple[str, str, str]:
    if not woman:
        return name
    latin, cyrillic, arabic = name
    return latin + "a", cyrillic + "а", arabic[:-1] + "ا" if arabic.endswith("ف") else arabic


def phone(rng: random.Random) -> str:
    return f"+923{rng.randint(0, 4)}{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}"


def names_for(
    rng: random.Random, given: tuple[str, str, str], family: tuple[str, str, str]
) -> list[dict[str, Any]]:
    """Every person has a Latin name; many the same name in Cyrillic or Arabic script."""
    latin = {"text": f"{given[0]} {family[0]}", "source": NameSource.SELF}
    cyrillic = {"text": f"{family[1]} {given[1]}", "source": NameSource.EMBASSY_LIST}
    arabic = {"text": f"{given[2]} {family[2]}", "source": NameSource.POLICE_RECORD}
    roll = rng.random()
    if roll < 0.15:
        return [{**cyrillic, "source": NameSource.PASSPORT}, latin]
    if roll < 0.55:
        return [latin, cyrillic]
    if roll < 0.85:
        return [latin, cyrillic, arabic]
    if roll < 0.95:
        return [latin, arabic]
    return [latin]


def birth(rng: random.Random, age: int) -> tuple[date, str]:
    today = timezone.localdate()
    born = today - timedelta(days=age * 365 + rng.randint(0, 364))
    precision = rng.choice(
        [DatePrecision.DAY, DatePrecision.DAY, DatePrecision.YEAR, DatePrecision.ABOUT]
    )
    if precision in (DatePrecision.YEAR, DatePrecision.ABOUT):
        born = born.replace(month=1, day=1)
    return born, precision


def make_person(
    rng: random.Random,
    organisation: Organisation,
    household: Household,
    relationship: str,
    *,
    woman: bool,
    age: int,
    family: tuple[str, str, str],
    father: str,
) -> Person:
    given = rng.choice(WOMEN if woman else MEN)
    born, precision = birth(rng, age)
    person = Person.objects.create(
        organisation=organisation,
        current_city=household.city,
        household=household,
        relationship=relationship,
        sex=Sex.FEMALE if woman else Sex.MALE,
        birth_date=born,
        birth_date_precision=precision,
        father_name=father,
        clan=rng.choice(CLANS),
        place_of_origin=rng.choice(ORIGINS),
        phones=[phone(rng)] if age >= 16 and rng.random() < 0.7 else [],
        languages=rng.choice(["Kazakh, Dari", "Kazakh, Urdu, Dari", "Kazakh, Pashto", "Kazakh"]),
    )
    person.set_names(names_for(rng, given, family_form(family, woman)))
    return person


def load_people(organisation: Organisation, cities: dict[str, City]) -> int:
    """Create the demo community once; a second run finds it and adds nothing."""
    if Person.objects.filter(organisation=organisation).exists():
        return 0
    rng = random.Random(20251201)  # noqa: S311  (demo data, not secrets)
    created = 0
    for slug, count in HOUSEHOLDS_PER_CITY.items():
        for _index in range(count):
            family = rng.choice(FAMILIES)
            household = Household.objects.create(
                organisation=organisation,
                city=cities[slug],
                area=rng.choice(AREAS[slug]),
                address=f"House {rng.randint(1, 300)}, street {rng.randint(1, 40)}",
                phones=[phone(rng)],
            )
            head_given = rng.choice(MEN)
            head_age = rng.randint(38, 70)
            father = rng.choice(MEN)[0]
            make_person(
                rng,
                organisation,
                household,
                Relationship.HEAD,
                woman=False,
                age=head_age,
                family=family,
                father=father,
            )
            make_person(
                rng,
                organisation,
                household,
                Relationship.SPOUSE,
                woman=True,
                age=head_age - rng.randint(0, 8),
                family=family,
                father=rng.choice(MEN)[0],
            )
            created += 2
            for _child in range(rng.randint(1, 4)):
                make_person(
                    rng,
                    organisation,
                    household,
                    Relationship.CHILD,
                    woman=rng.random() < 0.5,
                    age=rng.randint(2, max(3, head_age - 20)),
                    family=family,
                    father=head_given[0],
                )
                created += 1
            if rng.random() < 0.25:
                make_person(
                    rng,
                    organisation,
                    household,
                    Relationship.PARENT,
                    woman=rng.random() < 0.6,
                    age=head_age + rng.randint(20, 28),
                    family=family,
                    father=rng.choice(MEN)[0],
                )
                created += 1
    return created


@receiver(demo_loaded, sender=Demo)
def add_demo_people(
    sender: Any, organisation: Organisation, cities: dict[str, City], **kwargs: Any
) -> None:
    load_people(organisation, cities)
