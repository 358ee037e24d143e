"""What the list page says about each row: cells it could not read, and its candidates as
the registry has them now."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from qandas.matching.models import ListRow, ListUpload
from qandas.matching.tests.test_lists import post_list, register
from qandas.test import Cast

pytestmark = pytest.mark.django_db


def row_html(page: Any, row: ListRow) -> str:
    """The markup of one row of the list page."""
    html = page.content.decode() if not isinstance(page, str) else page
    found = re.search(rf'<tbody id="row-{row.code}".*?</tbody>', html, re.S)
    assert found, f"line {row.line} is not on the page"
    return found.group(0)


def test_a_birth_year_not_understood_is_matched_without_it_and_the_row_says_so(
    client: Client, cast: Cast
) -> None:
    aidos = register(cast, "Aidos Myrzakhmetov", year=1990)
    client.force_login(cast.coordinator)
    years = ["", "1990", "abc", "19", "2090", "1850", "1990.5"]
    lines = "".join(f"Aidos Myrzakhmetov,{year}\n" for year in years)
    response = post_list(client, "name,birth_year\n" + lines)
    assert response.status_code == 302  # the upload is not refused for it
    upload = ListUpload.objects.get()
    rows = {row.cells["birth_year"]: row for row in upload.rows.all()}
    page = client.get(f"/lists/{upload.code}/")

    # Matched on the name as a row without a year is.
    no_year = rows[""].candidates
    assert no_year[0]["person"] == aidos.pk
    for year in ("abc", "19", "2090", "1850", "1990.5"):
        assert rows[year].candidates == no_year, year
        assert (
            f"Birth year “<bdi>{year}</bdi>” not understood: this row was matched without "
            "a birth year." in row_html(page, rows[year])
        ), year
    for year in ("", "1990"):
        assert "not understood" not in row_html(page, rows[year]), year
    assert "born 1990" in rows["1990"].candidates[0]["why"]

    # The row's fragment after a decision says so too.
    fragment = client.post(
        f"/lists/rows/{rows['abc'].code}/reject/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Birth year “<bdi>abc</bdi>” not understood" in fragment


def candidate_html(page: Any, row: ListRow) -> str:
    """The markup of the row's candidates (not its cells, which keep the list's name)."""
    return "".join(re.findall(r'<div class="candidate">.*?</div>', row_html(page, row), re.S))


def test_a_candidate_shows_the_names_the_person_has_now(client: Client, cast: Cast) -> None:
    aidos = register(cast, "Айдос Мырзахметов")
    aidos.set_names([{"text": "Айдос Мырзахметов"}, {"text": "Aidos Mirzakhmetov"}])
    client.force_login(cast.coordinator)
    post_list(client, "name\nAidos Mirzakhmetov\n")
    upload = ListUpload.objects.get()
    row = upload.rows.get()
    assert [(c["person"], c["name"]) for c in row.candidates] == [(aidos.pk, "Aidos Mirzakhmetov")]
    url = f"/lists/{upload.code}/"

    shown = candidate_html(client.get(url), row)
    assert (
        "<bdi>Айдос Мырзахметов</bdi> · <bdi>matched as <bdi>Aidos Mirzakhmetov</bdi></bdi>"
        in shown
    )
    assert "≈" in shown  # how it matched

    # Another primary name: the matched one is still theirs, so it is still shown.
    aidos.set_names([{"text": "Aidos Myrzakhmetuly"}, {"text": "AIDOS MIRZAKHMETOV"}])
    shown = candidate_html(client.get(url), row)
    assert (
        "<bdi>Aidos Myrzakhmetuly</bdi> · <bdi>matched as <bdi>AIDOS MIRZAKHMETOV</bdi></bdi>"
        in shown
    )
    assert "Aidos Mirzakhmetov" not in shown and "Айдос" not in shown

    # The matched name removed: the current name alone, and nothing of the old one.
    aidos.set_names([{"text": "Aidos Myrzakhmetuly"}])
    shown = candidate_html(client.get(url), row)
    assert "<bdi>Aidos Myrzakhmetuly</bdi> — " in shown
    assert "matched as" not in shown and "≈" not in shown
    assert "mirzakhmetov" not in shown.casefold() and "Айдос" not in shown
    assert "The name this row matched is no longer this person's" in shown
    # It is still a candidate, and may be confirmed.
    assert f'value="{aidos.code}"' in shown
    client.post(f"/lists/rows/{row.code}/confirm/", {"person": str(aidos.code)})
    row.refresh_from_db()
    assert (row.state, row.person) == ("confirmed", aidos)
    assert "Aidos Myrzakhmetuly" in row_html(client.get(url), row)


def test_a_row_without_a_name_says_so_not_that_nobody_matches(client: Client, cast: Cast) -> None:
    register(cast, "Aidos Myrzakhmetov", year=1990)
    client.force_login(cast.coordinator)
    post_list(client, "name,father_name\n😀,Serik\nZhanargul Kanarybekova,Serik\n")
    upload = ListUpload.objects.get()
    rows = {row.cells["name"]: row for row in upload.rows.all()}
    page = client.get(f"/lists/{upload.code}/")
    emoji = row_html(page, rows["😀"])
    assert "This row gives no name to match: its name has no letter." in emoji
    assert "No candidate: nobody matches among the people the list was matched against" not in emoji
    unknown = row_html(page, rows["Zhanargul Kanarybekova"])
    assert (
        "No candidate: nobody matches among the people the list was matched against" in unknown
        and "no name to match" not in unknown
    )


def test_known_columns_are_labelled_in_words_and_others_as_the_file_names_them(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.coordinator)
    post_list(client, "name,birth_year,father_name,cell_no\nAidos Myrzakhmetov,1990,Serik,7\n")
    upload = ListUpload.objects.get()
    html = row_html(client.get(f"/lists/{upload.code}/"), upload.rows.get())
    assert "<dt>Birth year</dt>" in html and "<dt>Father&#x27;s name</dt>" in html
    assert "<dt>cell_no</dt>" in html and "<dt>birth_year</dt>" not in html


@pytest.mark.engines
def test_a_candidate_merged_since_is_offered_as_the_record_kept(client: Client, cast: Cast) -> None:
    """A list row keeps the candidates it was matched with; after a merge the merged one
    was dropped from the row and the record kept could not be chosen ("Choose one of
    the row's candidates")."""
    from qandas.matching import duplicates
    from qandas.matching.models import Merge, RowState

    tomiris = register(cast, "Tomiris Saparbekova", year=1985)
    kept = register(cast, "Томирис Сапарбекова", year=1985)
    client.force_login(cast.coordinator)
    post_list(client, "name\nTomiris Saparbekova\n")
    upload = ListUpload.objects.get()
    row = upload.rows.get()
    assert {c["person"] for c in row.candidates} == {tomiris.pk, kept.pk}
    duplicates.merge(kept, tomiris, by=cast.coordinator)

    shown = candidate_html(client.get(f"/lists/{upload.code}/"), row)
    assert shown.count('<div class="candidate">') == 1  # the two are one record now
    assert "Томирис Сапарбекова" in shown and "matched as <bdi>Tomiris Saparbekova" in shown
    duplicates.undo(Merge.objects.get(), by=cast.coordinator)
    shown = candidate_html(client.get(f"/lists/{upload.code}/"), row)
    assert shown.count('<div class="candidate">') == 2

    duplicates.merge(kept, tomiris, by=cast.coordinator)
    response = client.post(f"/lists/rows/{row.code}/confirm/", {"person": str(kept.code)})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.person) == (RowState.CONFIRMED, kept)
