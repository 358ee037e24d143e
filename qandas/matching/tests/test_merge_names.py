"""Merging two records of one person gives the survivor each name once (issue 6, point 3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from qandas.audit.models import AuditEvent, Verb
from qandas.documents.models import Document
from qandas.matching import duplicates, index, search
from qandas.matching.models import Merge, NameKey
from qandas.people import repoint
from qandas.people.models import Name, Person
from qandas.test import Cast

from .test_duplicates import holdings, person

pytestmark = [pytest.mark.django_db, pytest.mark.engines]


def rows(p: Person) -> list[tuple[Any, ...]]:
    """A person's names exactly as stored, in the order their page shows them."""
    return list(
        Name.objects.filter(person=p).values_list("pk", "text", "source", "is_primary", "position")
    )


def state(p: Person) -> dict[str, Any]:
    """Everything a merge and its undo touch of a person, and their search keys; not
    custody, which a merge derives again for both records (``incidents.repoint``), so
    that a record without events has one after, "free" where it had none."""
    held = holdings(p)
    del held["custody"]
    return {
        **held,
        "rows": rows(p),
        "key_set": sorted(NameKey.objects.filter(person=p).values_list("key", flat=True)),
    }


def fields_audited(verb: str, p: Person) -> list[str]:
    fields: list[str] = AuditEvent.objects.get(verb=verb, object_code=p.code).fields
    return fields


def test_same_name_is_the_text_case_folded_with_spaces_made_one() -> None:
    assert repoint.same_name(" berik  ZHANUZAKOV ") == repoint.same_name("Berik Zhanuzakov")
    assert repoint.same_name("БЕРИК Жанузаков") == repoint.same_name("берик жанузаков")
    # One letter typed as one character or as a letter and its accent: one name.
    assert repoint.same_name("Be\u0301rik") == repoint.same_name("B\u00e9rik")
    # Another spelling, script or accent is another writing of the name, kept.
    for other in ("Berik Dzhanuzakov", "Берик Жанузаков", "Bérik Zhanuzakov", "BerikZhanuzakov"):
        assert repoint.same_name(other) != repoint.same_name("Berik Zhanuzakov")


# Format characters no one sees: zero-width space, non-joiner, joiner, byte order mark,
# left-to-right and right-to-left marks, right-to-left isolate and its end, Arabic letter
# mark, soft hyphen.
INVISIBLE: tuple[str, ...] = (
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u200e",
    "\u200f",
    "\u2067",
    "\u2069",
)
INVISIBLE += ("\u061c", "\u00ad")
PERSIAN = "نورلان عبدیکریموف"  # Persian yeh and keheh


def test_same_name_is_one_name_however_a_keyboard_typed_it() -> None:
    def same(a: str, b: str) -> bool:
        return repoint.same_name(a) == repoint.same_name(b)

    # Arabic yeh and kaf, alef maksura, as a Persian keyboard types them: one letter each.
    assert same("نورلان عبديكريموف", PERSIAN) and same("نورلان عبديكريموى", "نورلان عبدیکریموی")
    assert same("عبداللہ", "عبدالله")  # Urdu heh goal
    # Vowel signs and tatweel, which writing adds or leaves out.
    assert same("نُورلان عَبدیکریموف", PERSIAN) and same("نـورلان عبدیـکریموف", PERSIAN)
    for invisible in INVISIBLE:
        assert same(f"Nurlan{invisible} Abdikarimov{invisible}", "Nurlan Abdikarimov"), invisible
        assert same(f"{invisible}{PERSIAN}", PERSIAN), invisible
    # Letters a reader sees as others stay other writings, kept: teh marbuta and heh, a
    # hamza, ayn (search reads it as alef), Pashto gaf, Urdu tteh, Sindhi kaf, bari ye.
    for one, other in [
        ("فاطمة", "فاطمه"),
        ("أحمد", "احمد"),
        ("عمر", "امر"),
        ("ګل", "گل"),
        ("ٹیپو", "تیپو"),
        ("ڪریم", "کریم"),
        ("موسے", "موسی"),
    ]:
        assert not same(one, other), one


def test_a_name_typed_on_another_keyboard_or_with_invisible_characters_moves_not(
    cast: Cast,
) -> None:
    kept = person(cast, ["Nurlan Abdikarimov", PERSIAN], born=1985)
    twin = person(
        cast,
        [
            "Nurlan Abdikarimov\u200b",
            "نورلان عبديكريموف",  # Arabic yeh and kaf
            "\u200fنورلان عبدی\u200cکریموف",
            "Nurlan Abdykarimov",
        ],
        born=1985,
    )
    before = {"kept": state(kept), "twin": state(twin)}

    done = duplicates.merge(kept, twin, by=cast.coordinator)
    assert state(kept)["names"] == [
        ("Nurlan Abdikarimov", True),
        (PERSIAN, False),
        ("Nurlan Abdykarimov", False),
    ]
    assert len(done.moved[repoint.NAMES]) == 1 and len(done.moved[repoint.KEPT]) == 3
    assert fields_audited(Verb.MERGE, kept) == ["people.Name"]

    duplicates.undo(done, by=cast.coordinator)
    assert {"kept": state(kept), "twin": state(twin)} == before


def test_a_name_the_survivor_has_moves_not_and_undo_restores_both_exactly(
    client: Client, cast: Cast
) -> None:
    kept = person(cast, ["Berik Zhanuzakov", "Берик Жанузаков"], born=1990)
    twin = person(cast, [], born=1990)
    # Its primary name is not its first, and two of its own names are one name.
    twin.set_names(
        [
            {"text": "Berik Dzhanuzakov", "source": "passport"},
            {"text": "berik  ZHANUZAKOV ", "primary": True},
            {"text": "БЕРИК жанузаков"},
            {"text": "BERIK DZHANUZAKOV"},
            {"text": "Берик Джанузаков"},
        ]
    )
    Document.objects.create(organisation=cast.organisation, person=twin, kind="tazkira")
    before = {"kept": state(kept), "twin": state(twin)}
    twin_ids = {text: pk for pk, text, *_rest in before["twin"]["rows"]}

    client.force_login(cast.coordinator)
    merged = client.post(f"/duplicates/{kept.code}/{twin.code}/merge/", {"survivor": kept.code})
    assert merged.status_code == 302

    # The survivor has each name once: its own, then the other writings of the twin's.
    after = state(kept)
    assert after["names"] == [
        ("Berik Zhanuzakov", True),
        ("Берик Жанузаков", False),
        ("Berik Dzhanuzakov", False),
        ("Берик Джанузаков", False),
    ]
    assert after["rows"][:2] == before["kept"]["rows"]
    assert after["rows"][2][2] == "passport"  # a moved name keeps its source
    page = client.get(f"/people/{kept.code}/").content.decode()
    assert "Berik Dzhanuzakov" in page and "ZHANUZAKOV" not in page and "БЕРИК" not in page
    # Its keys are those of its names now; the hidden twin has none.
    assert after["key_set"] == sorted(
        index.person_keys(text for _pk, text, *_rest in after["rows"])
    )
    assert after["romanised"] == "berik dzhanuzakov\nberik zhanuzakov"
    visible = Person.objects.visible_to(cast.coordinator)
    assert [m.person for m in search.find(visible, "Berik Dzhanuzakov")] == [kept]
    # The names the survivor had stay, hidden, on the merged record.
    gone = state(twin)
    assert [text for _pk, text, *_rest in gone["rows"]] == [
        "berik  ZHANUZAKOV ",
        "БЕРИК жанузаков",
        "BERIK DZHANUZAKOV",
    ]
    assert gone["rows"] == [
        r for r in before["twin"]["rows"] if r[0] in {p[0] for p in gone["rows"]}
    ]
    assert gone["key_set"] == [] and gone["romanised"] == ""

    done = Merge.objects.get()
    assert done.moved[repoint.NAMES] == [
        twin_ids["Berik Dzhanuzakov"],
        twin_ids["Берик Джанузаков"],
    ]
    assert fields_audited(Verb.MERGE, kept) == ["documents.Document", "people.Name"]
    merges = client.get("/duplicates/merges/").content.decode()
    assert "2 names · 1 document" in merges
    # The merged record's names, every one, its primary first.
    shown = merges.index("berik  ZHANUZAKOV ")
    assert all(shown < merges.index(t) for t in ("Berik Dzhanuzakov", "BERIK DZHANUZAKOV"))
    assert "БЕРИК жанузаков" in merges

    assert client.post(f"/duplicates/merges/{done.code}/undo/").status_code == 302
    assert {"kept": state(kept), "twin": state(twin)} == before


def test_a_record_whose_every_name_the_survivor_has_moves_no_name(cast: Cast) -> None:
    kept = person(cast, ["Aigerim Bekova"], born=1988)
    twin = person(cast, ["AIGERIM  BEKOVA"], born=1988)
    Document.objects.create(organisation=cast.organisation, person=twin, kind="tazkira")
    before = {"kept": state(kept), "twin": state(twin)}

    done = duplicates.merge(kept, twin, by=cast.coordinator)
    assert state(kept)["names"] == [("Aigerim Bekova", True)]
    assert done.moved[repoint.NAMES] == [] and done.moved[repoint.KEPT] == [
        before["twin"]["rows"][0][0]
    ]
    assert fields_audited(Verb.MERGE, kept) == ["documents.Document"]

    duplicates.undo(done, by=cast.coordinator)
    assert {"kept": state(kept), "twin": state(twin)} == before


def test_a_merge_recorded_before_positions_were_kept_is_undone_in_its_order(
    cast: Cast,
) -> None:
    kept = person(cast, ["Dilnoza Ergasheva"])
    twin = person(cast, ["Дилноза Эргашева", "Dilnoza Ergashova"])
    ids = [pk for pk, *_rest in rows(twin)]
    Person.objects.filter(pk=twin.pk).update(merged_into=kept)
    Name.objects.filter(pk__in=ids).update(person=kept, is_primary=False, position=5)

    repoint.restore(twin, kept, {repoint.NAMES: ids, repoint.PRIMARY: ids[:1]})
    assert [(text, primary, position) for _pk, text, _s, primary, position in rows(twin)] == [
        ("Дилноза Эргашева", True, 0),
        ("Dilnoza Ergashova", False, 1),
    ]
    assert [text for _pk, text, *_rest in rows(kept)] == ["Dilnoza Ergasheva"]


def test_an_edit_keeps_the_rows_of_the_names_it_does_not_change(cast: Cast) -> None:
    someone = person(cast, ["Aigerim Bekova", "Айгерим Бекова"])
    ids = {text: pk for pk, text, *_rest in rows(someone)}
    someone.set_names(
        [{"text": "Айгерим Бекова", "primary": True, "source": "passport"}, {"text": "A. Bekova"}]
    )
    after = rows(someone)
    assert after[0] == (ids["Айгерим Бекова"], "Айгерим Бекова", "passport", True, 0)
    assert after[1][1:] == ("A. Bekova", "other", False, 1)
    assert after[1][0] not in ids.values()


def test_undo_after_the_survivors_names_were_edited_gives_every_name_back(
    client: Client, cast: Cast
) -> None:
    """Editing the survivor's names after a merge used to delete and write them all
    again: the undo then found none of the names it had moved, and the merged record
    came back nameless, its names left on the survivor."""
    kept = person(cast, ["Berik Zhanuzakov"], born=1990)
    twin = person(cast, ["Berik Dzhanuzakov", "Берик Джанузаков"], born=1990)
    before = rows(twin)
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    # A name added on the survivor's form, and (through the API) a moved name removed.
    client.force_login(cast.coordinator)
    kept.set_names(
        [{"text": t} for t in ("Berik Zhanuzakov", "Berik Dzhanuzakov", "Берик Джанузаков")]
        + [{"text": "B. Zhanuzakov"}]
    )
    token = cast.token("coordinator")
    response = client.patch(
        f"/api/v1/people/{kept.code}",
        {
            "names": [
                {"text": "Berik Zhanuzakov"},
                {"text": "Berik Dzhanuzakov"},
                {"text": "B. Zhanuzakov"},
            ]
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    merges = client.get("/duplicates/merges/").content.decode()
    assert "Берик Джанузаков" in merges  # as the merge wrote it, though the survivor lost it

    duplicates.undo(done, by=cast.coordinator)
    back = rows(twin)
    assert [r[1:] for r in back] == [r[1:] for r in before]
    assert back[0][0] == before[0][0]  # the row the survivor kept came back itself
    assert [text for _pk, text, *_rest in rows(kept)] == ["Berik Zhanuzakov", "B. Zhanuzakov"]
    assert (
        search.find(Person.objects.visible_to(cast.coordinator), "Берик Джанузаков")[0].person
        == twin
    )


def test_a_record_merged_into_another_citys_says_so_to_whoever_kept_it(
    client: Client, cast: Cast
) -> None:
    kept = person(cast, ["Nurlan Abdikarimov"], born=1980)
    theirs = person(cast, ["Нурлан Абдикаримов"], city=cast.quetta, born=1980)
    duplicates.merge(kept, theirs, by=cast.admin)
    client.force_login(cast.quetta_coordinator)
    response = client.get(f"/people/{theirs.code}/")
    assert response.status_code == 410
    page = response.content.decode()
    assert "admin merged this record into another record of the same person" in page
    assert "Nurlan" not in page and str(kept.code) not in page
    event = AuditEvent.objects.filter(verb=Verb.VIEW, object_code=theirs.code).get()
    assert event.actor == cast.quetta_coordinator
    # Someone who may see the survivor is taken there; one who never saw either learns
    # nothing; after an undo the record is found again.
    client.force_login(cast.admin)
    assert client.get(f"/people/{theirs.code}/")["Location"] == f"/people/{kept.code}/"
    client.force_login(cast.coordinator)  # Karachi's: the Quetta record was never theirs
    assert client.get(f"/people/{theirs.code}/").status_code == 404

    # The API says the same: the record kept when the caller may see it, else null.
    def api_get(name: str) -> Any:
        headers = {"Authorization": f"Bearer {cast.token(name)}"}
        return client.get(f"/api/v1/people/{theirs.code}", headers=headers)

    assert api_get("admin").status_code == 410
    assert api_get("admin").json()["merged_into"] == str(kept.code)
    assert api_get("quetta_coordinator").json() == {
        "detail": "This record was merged into another record of the same person.",
        "merged_into": None,
    }
    assert api_get("coordinator").status_code == 404
    # A write answers as a read does (it answered 404, and a client holding the old code
    # could not tell the record had moved); nothing is changed.
    headers = {"Authorization": f"Bearer {cast.token('admin')}"}
    url = f"/api/v1/people/{theirs.code}"
    patched = client.patch(
        url, {"clan": "Naiman"}, content_type="application/json", headers=headers
    )
    assert patched.status_code == 410 and patched.json()["merged_into"] == str(kept.code)
    assert Person.objects.get(pk=theirs.pk).clan == ""
    # So does a form opened before the merge: to the record kept, saying nothing was
    # saved (it answered a bare 404); one who never saw either still learns nothing.
    client.force_login(cast.admin)
    for form in ("edit/", "events/new/", "documents/new/", "photo/new/"):
        sent = client.post(f"/people/{theirs.code}/{form}", {"clan": "Naiman"}, follow=True)
        assert sent.redirect_chain == [(f"/people/{kept.code}/", 302)], form
        assert "Nothing was saved: do it again here." in sent.content.decode()
    client.force_login(cast.coordinator)
    assert client.post(f"/people/{theirs.code}/edit/", {}).status_code == 404
    duplicates.undo(Merge.objects.get(), by=cast.admin)
    client.force_login(cast.quetta_coordinator)
    assert client.get(f"/people/{theirs.code}/").status_code == 200


def test_a_pair_merged_meanwhile_says_so_to_the_second_reviewer(cast: Cast) -> None:
    first = person(cast, ["Dariga Temirova"], born=1991)
    second = person(cast, ["Дарига Темирова"], born=1991)
    pair = f"/duplicates/{first.code}/{second.code}/"
    karachi, admin = Client(), Client()
    karachi.force_login(cast.coordinator)
    admin.force_login(cast.admin)
    assert admin.get(pair).status_code == 200  # both open the pair
    merged = karachi.post(pair + "merge/", {"survivor": str(second.code)})
    assert merged.status_code == 302
    # The other reviewer: merging the other way, saying "not the same", or the page.
    for response in (
        admin.post(pair + "merge/", {"survivor": str(first.code)}),
        admin.post(pair + "not-same/", {"note": ""}),
        admin.get(pair),
        admin.get(f"/duplicates/{second.code}/{first.code}/"),
    ):
        assert response.status_code == 302 and response["Location"] == f"/people/{second.code}/"
    page = admin.get(f"/people/{second.code}/").content.decode()
    assert "These two records were already merged, into this one, by coordinator on" in page
    assert Merge.objects.count() == 1 and Person.objects.get(pk=second.pk).merged_into is None


def test_a_pair_with_a_record_merged_from_another_city_is_not_found(cast: Cast) -> None:
    """An admin merged a Quetta record into a Karachi one: to the Karachi coordinator,
    the pair's address answered "already merged" where the Quetta record's own page and
    the API answer 404, telling that record apart from a code of nobody."""
    kept = person(cast, ["Dariga Temirova"], born=1991)
    quetta = person(cast, ["Дарига Темирова"], born=1991, city=cast.quetta)
    duplicates.merge(kept, quetta, by=cast.admin)
    karachi = Client()
    karachi.force_login(cast.coordinator)
    for pair in (f"{kept.code}/{quetta.code}", f"{quetta.code}/{kept.code}"):
        assert karachi.get(f"/duplicates/{pair}/").status_code == 404
        merge = karachi.post(f"/duplicates/{pair}/merge/", {"survivor": str(kept.code)})
        assert merge.status_code == 404
    assert karachi.get(f"/people/{quetta.code}/").status_code == 404
    admin = Client()
    admin.force_login(cast.admin)  # who could see both: told so
    response = admin.get(f"/duplicates/{kept.code}/{quetta.code}/")
    assert response.status_code == 302 and response["Location"] == f"/people/{kept.code}/"


def test_a_merge_gives_the_record_kept_the_details_it_lacks_and_undo_takes_them_back(
    cast: Cast,
) -> None:
    """The merged record's phone, household and other details were hidden with it:
    a family's only contact number could be reached no more."""
    from qandas.people.models import Household

    home = Household.objects.create(organisation=cast.organisation, city=cast.karachi)
    kept = person(cast, ["Ruslan Saparbekov"], born=1980, phones=["+923001234567"])
    kept.languages = "Kazakh"
    kept.save()
    twin = person(
        cast,
        ["Руслан Сапарбеков"],
        phones=["+923009876543", "+923001234567"],
        sex="male",
        clan="Naiman",
        father_name="Bolat",
        languages="kazakh, Dari",
        notes="Works at the market.",
        household=home,
        relationship="head",
    )
    before = {f: getattr(kept, f) for f in ("phones", "sex", "clan", "father_name", "notes")}
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    kept.refresh_from_db()
    assert kept.phones == ["+923001234567", "+923009876543"]
    assert (kept.sex, kept.clan, kept.father_name) == ("male", "Naiman", "Bolat")
    assert kept.languages == "Kazakh, Dari" and kept.notes == "Works at the market."
    assert (kept.household, kept.relationship) == (home, "head")
    assert kept.birth_date is not None and kept.birth_date.year == 1980  # its own, kept
    fields = fields_audited(Verb.MERGE, kept)
    assert {"phones", "household", "relationship", "clan", "notes"} <= set(fields)
    assert "birth_date" not in fields

    # Changed since: that field keeps its change; the others go back.
    Person.objects.filter(pk=kept.pk).update(clan="Kerei")
    duplicates.undo(done, by=cast.coordinator)
    kept.refresh_from_db()
    assert {f: getattr(kept, f) for f in ("phones", "sex", "father_name", "notes")} == {
        f: before[f] for f in ("phones", "sex", "father_name", "notes")
    }
    assert kept.clan == "Kerei" and kept.languages == "Kazakh"
    assert kept.household is None and kept.relationship == ""
    twin.refresh_from_db()
    assert twin.phones == ["+923009876543", "+923001234567"] and twin.household == home


def test_undo_takes_the_other_records_numbers_out_of_details_edited_since(
    client: Client, cast: Cast
) -> None:
    """A number added to the kept record's phones after the merge kept the other
    person's number on it after the undo, and the page said both records were back as
    they were. Now their numbers, languages and notes are taken out of the edited
    fields, and a detail edited since that cannot be taken apart is named."""
    kept = person(cast, ["Aliya Serikbayeva"], born=1991, phones=["+923001110000"])
    twin = person(
        cast,
        ["Алия Серикбаева"],
        phones=["+923009998877"],
        languages="Kazakh",
        father_name="Serik",
        notes="Sister in Quetta.",
    )
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    Person.objects.filter(pk=kept.pk).update(
        phones=["+923001110000", "+923009998877", "+923215550000"],
        languages="Kazakh, Russian",
        father_name="Serikbai",
        notes="Sister in Quetta. Moved to Lyari in May.",
    )
    assert repoint.kept_after_undo(kept, done.moved[repoint.CARRIED]) == ["father_name"]
    client.force_login(cast.coordinator)
    answer = client.post(f"/duplicates/merges/{done.code}/undo/", follow=True).content.decode()
    kept.refresh_from_db()
    assert kept.phones == ["+923001110000", "+923215550000"]
    assert kept.languages == "Russian"
    assert (kept.father_name, kept.notes) == ("Serikbai", "Moved to Lyari in May.")
    assert "back as they were" not in answer
    assert "edited since the merge and left as they are" in answer
    assert "father&#x27;s name" in answer or "father's name" in answer
    # A language given, written otherwise since ("Kazakh; Russian"), is left and named.
    again = duplicates.merge(kept, twin, by=cast.coordinator)
    Person.objects.filter(pk=kept.pk).update(languages="Kazakh; Russian")
    assert "languages" in repoint.kept_after_undo(kept, again.moved[repoint.CARRIED])


def test_undo_of_a_merge_with_a_redacted_record_is_refused_not_broken(
    client: Client, cast: Cast
) -> None:
    """A redaction blanks the values a merge carried; the undo's check of what it would
    leave read them as lists and answered 500, where the refusal was due."""
    kept = person(cast, ["Aliya Serikbayeva"], born=1991)
    twin = person(cast, ["Алия Серикбаева"], phones=["+923009998877"], notes="Sister.")
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    Person.objects.filter(pk=kept.pk).update(phones=["+923009998877", "+923215550000"])
    twin.redact(by=cast.admin)
    client.force_login(cast.admin)
    page = client.post(f"/duplicates/merges/{done.code}/undo/", follow=True)
    assert page.status_code == 200
    assert "cannot be undone: its details are gone" in page.content.decode()


def test_a_merge_gives_the_record_kept_the_photo_it_lacks_one_file_for_both(
    client: Client, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """The merged record's photo was hidden with it. The record kept shows the same
    stored file; it is deleted only once no record holds it (a new photo for one, then
    the redaction of both)."""
    from qandas.lib import files
    from qandas.people.tests.test_photo import png_upload

    kept = person(cast, ["Askar Zhumabekov"], born=1981)
    twin = person(cast, ["Аскар Жумабеков"], born=1981)
    twin.set_photo(files.clean_upload(png_upload()), by=cast.coordinator)
    shared = twin.photo
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    kept.refresh_from_db()
    assert (kept.photo, kept.photo_content_type) == (shared, "image/png")
    assert "photo" in fields_audited(Verb.MERGE, kept)
    client.force_login(cast.coordinator)
    assert client.get(f"/people/{kept.code}/photo/").status_code == 200
    assert "details it lacked: photo" in client.get("/duplicates/merges/").content.decode()
    # The merged record's photo is the kept record's, as its page is; the API says 410.
    assert client.get(f"/people/{twin.code}/photo/")["Location"] == f"/people/{kept.code}/photo/"
    headers = {"Authorization": f"Bearer {cast.token('coordinator')}"}
    answer = client.get(f"/api/v1/people/{twin.code}/photo", headers=headers)
    assert answer.status_code == 410 and answer.json()["merged_into"] == str(kept.code)
    headers = {"Authorization": f"Bearer {cast.token('outsider')}"}
    assert client.get(f"/api/v1/people/{twin.code}/photo", headers=headers).status_code == 404

    # Undone: the record kept goes back to none; the file is the other's still.
    duplicates.undo(done, by=cast.coordinator)
    kept.refresh_from_db()
    twin.refresh_from_db()
    assert kept.photo == "" and twin.photo == shared and files.path_of(shared).exists()

    # Merged again, the kept record given a photo of its own: the other keeps the file.
    duplicates.merge(kept, twin, by=cast.coordinator)
    kept.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        kept.set_photo(files.clean_upload(png_upload("new.png")), by=cast.coordinator)
    assert files.path_of(shared).exists() and files.path_of(kept.photo).exists()
    # Redacting the record kept redacts the merged one: no photo of either is left.
    from qandas.people.views import redact_with_merged

    own = kept.photo
    with django_capture_on_commit_callbacks(execute=True):
        redact_with_merged(kept, by=cast.admin, request=None)  # type: ignore[arg-type]
    assert not files.path_of(shared).exists() and not files.path_of(own).exists()


def test_undo_gives_back_a_group_of_details_whole_or_not_at_all(
    client: Client, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """A photo and its type, a birth date and its precision go back together: a new
    photo given since kept its file but lost its type (served with no content type), and
    a year given since became an exact day."""
    import datetime

    from qandas.lib import files
    from qandas.people.tests.test_photo import png_upload

    kept = person(cast, ["Lumira Qazbekova"])
    Person.objects.filter(pk=kept.pk).update(birth_date=None, birth_date_precision="day")
    kept.refresh_from_db()
    twin = person(cast, ["Люмира Казбекова"], born=1990)
    twin.set_photo(files.clean_upload(png_upload()), by=cast.coordinator)
    done = duplicates.merge(kept, twin, by=cast.coordinator)
    kept.refresh_from_db()
    assert (kept.birth_date, kept.birth_date_precision) == (datetime.date(1990, 1, 1), "year")
    with django_capture_on_commit_callbacks(execute=True):
        kept.set_photo(files.clean_upload(png_upload("new.png")), by=cast.coordinator)
    Person.objects.filter(pk=kept.pk).update(birth_date=datetime.date(1985, 1, 1))
    duplicates.undo(done, by=cast.coordinator)
    kept.refresh_from_db()
    assert kept.photo and kept.photo != twin.photo and kept.photo_content_type == "image/png"
    assert (kept.birth_date, kept.birth_date_precision) == (datetime.date(1985, 1, 1), "year")
    client.force_login(cast.coordinator)
    assert client.get(f"/people/{kept.code}/photo/")["Content-Type"] == "image/png"
    files.delete_stored(kept.photo)


def test_the_pair_page_and_the_merges_page_say_what_details_a_merge_gives(
    client: Client, cast: Cast
) -> None:
    kept = person(cast, ["Timur Dosmukhamedov"], born=1975)
    twin = person(cast, ["Тимур Досмухамедов"], born=1975, phones=["+923123879436"], clan="Kerei")
    client.force_login(cast.coordinator)
    page = client.get(f"/duplicates/{kept.code}/{twin.code}/").content.decode()
    assert "Phone numbers" in page and "879436" not in page  # how many, never which
    client.post(f"/duplicates/{kept.code}/{twin.code}/merge/", {"survivor": str(kept.code)})
    merges = client.get("/duplicates/merges/").content.decode()
    assert "details it lacked: phone numbers, clan" in merges


def test_the_merges_page_follows_a_chain_and_the_pair_page_is_a_read_of_both(
    client: Client, cast: Cast
) -> None:
    a = person(cast, ["Aslan Nurgaliyev"], born=1970)
    b = person(cast, ["Aslan Nurgaliev"], born=1970)
    c = person(cast, ["Аслан Нургалиев"], born=1970)
    client.force_login(cast.coordinator)
    assert client.get(f"/duplicates/{a.code}/{b.code}/").status_code == 200
    viewed = AuditEvent.objects.filter(verb=Verb.VIEW, fields=["duplicates"])
    assert sorted(str(e.object_code) for e in viewed) == sorted([str(a.code), str(b.code)])
    duplicates.merge(b, a, by=cast.coordinator)
    duplicates.merge(c, b, by=cast.coordinator)
    page = client.get("/duplicates/merges/").content.decode()
    assert f'merged since into <a href="/people/{c.code}/" dir="auto">Аслан Нургалиев</a>' in page
    assert "(no name)" not in page
    # The inner merge cannot be undone first: the page says so instead of offering it.
    inner = Merge.objects.get(survivor=b, merged=a)
    assert f"/duplicates/merges/{inner.code}/undo/" not in page
    assert "The kept record was merged again since: undo that merge first." in page
    outer = Merge.objects.get(survivor=c, merged=b)
    assert f"/duplicates/merges/{outer.code}/undo/" in page
