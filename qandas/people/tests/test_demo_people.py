"""The demo community: big enough to work with, in three scripts, loaded once."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from qandas.documents.models import Document, DocumentKind
from qandas.people.models import Household, Name, Person

# The demo is loaded by bin/run on SQLite; its tests run in that pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.once]


def test_demo_adds_households_and_people_in_three_scripts_once() -> None:
    call_command("demo", stdout=StringIO())
    people, households = Person.objects.count(), Household.objects.count()
    assert households >= 40 and people >= 150
    cities = Counter(Person.objects.values_list("current_city__slug", flat=True))
    assert set(cities) == {"karachi", "quetta", "peshawar"}
    scripts = Counter(Name.objects.values_list("script", flat=True))
    assert scripts["latin"] > 100 and scripts["cyrillic"] > 50 and scripts["arabic"] > 30
    both = Person.objects.filter(names__script="cyrillic").filter(names__script="latin")
    assert both.distinct().count() > people // 2
    call_command("demo", stdout=StringIO())
    assert (Person.objects.count(), Household.objects.count()) == (people, households)


def test_demo_documents_cover_every_kind_and_some_are_expired() -> None:
    call_command("demo", stdout=StringIO())
    kinds = set(Document.objects.values_list("kind", flat=True))
    assert kinds == {kind.value for kind in DocumentKind}
    assert Document.objects.expired().exists()
    assert Document.objects.exclude(pk__in=Document.objects.expired()).exists()
