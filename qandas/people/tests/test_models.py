"""Scripts, phones, masking, names and redaction: the registry's model verbs."""

import pytest
from django.core.exceptions import ValidationError

from qandas.lib.fields import PhoneNumbersFormField, mask_phone, normalise_phone
from qandas.lib.scripts import detect_script
from qandas.people.models import REDACTED, Person
from qandas.test import Cast


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Nurlan Tokhtarov", "latin"),
        ("Nurlan Tökhtar-Uly", "latin"),
        ("Тохтаров Нурлан", "cyrillic"),
        ("Әйгерім Қасымқызы", "cyrillic"),
        ("ҒҚҢӨҰҮҺІ", "cyrillic"),
        ("تختاروف", "arabic"),
        ("نورلان تختاروف", "arabic"),
        ("گل‌بی‌بی ژړ ټ ڼ", "arabic"),
        ("12345", "other"),
        ("नूरलान", "other"),
    ],
)
def test_script_is_detected(text: str, script: str) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0300 1234567", "+923001234567"),
        ("+92 300 1234567", "+923001234567"),
        ("+93 70 123 4567", "+93701234567"),
        ("+7 701 123 4567", "+77011234567"),
    ],
)
def test_phones_are_stored_in_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["not a phone", "123", "+92 12", "0300-CALL-ME"])
def test_a_phone_that_is_not_a_phone_is_refused_with_a_message(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PhoneNumbersFormField().clean(raw)
    assert "phone number" in " ".join(caught.value.messages)


def test_masked_phone_keeps_country_first_digit_and_last_two() -> None:
    assert mask_phone("+923001234534") == "+92 3** *** **34"


# Writing names rewrites the matching keys with raw SQL (executemany): engine-dependent.
@pytest.mark.engines
@pytest.mark.django_db
def test_names_round_trip_and_first_is_primary(cast: Cast) -> None:
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": " Латифи  Нурлан "}, {"text": "تختاروف", "source": "police_record"}])
    names = list(person.names.all())
    assert [n.text for n in names] == [" Латифи  Нурлан ", "تختاروف"]
    assert [n.is_primary for n in names] == [True, False]
    assert [n.script for n in names] == ["cyrillic", "arabic"]
    assert names[1].source == "police_record"


@pytest.mark.django_db
def test_redaction_blanks_identifying_fields_and_keeps_the_record(cast: Cast) -> None:
    person = Person.objects.create(
        organisation=cast.organisation,
        current_city=cast.karachi,
        father_name="Bolat",
        clan="Naiman",
        phones=["+923001234567"],
        notes="lives near the mosque",
        sex="male",
    )
    person.set_names([{"text": "Nurlan Tokhtarov"}])
    fields = person.redact(by=cast.admin)
    person.refresh_from_db()
    assert "names" in fields and "phones" in fields
    assert [n.text for n in person.names.all()] == [REDACTED]
    assert (person.father_name, person.clan, person.notes, person.phones) == ("", "", "", [])
    assert person.sex == "male" and person.current_city == cast.karachi
    assert person.is_redacted
    assert not Person.objects.editable_by(cast.admin).filter(pk=person.pk).exists()


@pytest.mark.django_db
def test_coordinators_see_their_cities_analysts_see_nobody(cast: Cast) -> None:
    karachi = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    quetta = Person.objects.create(organisation=cast.organisation, current_city=cast.quetta)
    elsewhere = Person.objects.create(
        organisation=cast.other_organisation, current_city=cast.karachi
    )

    def seen(name: str) -> set[int]:
        return set(Person.objects.visible_to(cast.users[name]).values_list("pk", flat=True))

    assert seen("coordinator") == {karachi.pk}
    assert seen("quetta_coordinator") == {quetta.pk}
    assert seen("liaison") == seen("admin") == {karachi.pk, quetta.pk}
    assert seen("analyst") == set()
    assert seen("outsider") == {elsewhere.pk}
    assert set(Person.objects.editable_by(cast.liaison)) == set()


# Name search: LIKE on folded non-ASCII text, then the matching app's raw SQL.
@pytest.mark.engines
@pytest.mark.django_db
def test_search_ignores_case_in_every_script(cast: Cast) -> None:
    person = Person.objects.create(organisation=cast.organisation, current_city=cast.karachi)
    person.set_names([{"text": "Тохтаров Нұрлан"}, {"text": "AIDOS"}])
    assert list(Person.objects.search("нұрлан")) == [person]
    assert list(Person.objects.search("ТОХТАР")) == [person]
    assert list(Person.objects.search("aidos")) == [person]
    assert list(Person.objects.search("Болат")) == []
