"""``manage.py import_places``: all rows or none, re-import updates, bad rows named by line."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qandas.audit.models import AuditEvent
from qandas.incidents.models import Place, PlaceKind
from qandas.test import Cast

pytestmark = pytest.mark.django_db

GOOD = (
    "kind,name,city,admin_code,latitude,longitude\n"
    "police_station,Saddar Lane Police Station,karachi,KHI-07,24.8607,67.0011\n"
    "Court,Quetta District Court,Quetta,,,\n"
    "border crossing,Torkham border crossing,,,34.1006,71.0917\n"
    'PRISON OR HOLDING CENTRE,"Central Prison, Peshawar",peshawar,,,\n'
)


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_places", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "places.csv"
    path.write_bytes(text.encode(encoding))
    return path


# "Unchanged" compares the decimals read back from the database: engine-dependent.
@pytest.mark.engines
def test_a_good_file_imports_and_a_second_import_updates(cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + GOOD)  # with a byte-order mark, as Excel saves it
    out, err = run(path, "--org", "test-network")
    assert "4 created, 0 updated" in out and err == ""
    places = Place.objects.filter(organisation=cast.organisation)
    assert set(places.values_list("kind", flat=True)) == set(PlaceKind.values) - {"city"}
    station = places.get(name="Saddar Lane Police Station")
    assert (station.city, station.admin_code) == (cast.karachi, "KHI-07")
    assert station.latitude == Decimal("24.8607") and station.longitude == Decimal("67.0011")
    assert places.get(kind=PlaceKind.COURT).city == cast.quetta
    assert AuditEvent.objects.filter(object_code=station.code).count() == 1

    changed = GOOD.replace("KHI-07", "KHI-08")
    out, _err = run(write(tmp_path, changed), "--org", "test-network")
    assert "0 created, 1 updated, 3 unchanged" in out
    assert places.count() == 4
    assert places.get(name="Saddar Lane Police Station").admin_code == "KHI-08"
    assert not Place.objects.filter(organisation=cast.other_organisation).exists()


def test_dry_run_saves_nothing(cast: Cast, tmp_path: Path) -> None:
    out, _err = run(write(tmp_path, GOOD), "--org", "test-network", "--dry-run")
    assert "4 created" in out and "nothing saved" in out
    assert not Place.objects.exists()


def test_one_bad_row_imports_nothing_and_names_its_line(cast: Cast, tmp_path: Path) -> None:
    bad = GOOD + "station,Nowhere,karachi,,,\npolice_station,Somewhere,Lahore,,,\n"
    err = StringIO()
    with pytest.raises(CommandError, match="2 row"):
        call_command(
            "import_places",
            str(write(tmp_path, bad)),
            "--org",
            "test-network",
            stdout=StringIO(),
            stderr=err,
        )
    assert "line 6: unknown kind 'station'" in err.getvalue()
    assert "line 7: unknown city 'Lahore'" in err.getvalue()
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude", "reason"),
    [
        ("91", "67", "latitude 91 is not between -90 and 90"),
        ("24.8", "-180.5", "longitude -180.5 is not between -180 and 180"),
        ("24,8", "67", "latitude '24,8' is not a decimal number"),
        ("nan", "67", "latitude 'nan' is not a decimal number"),
        ("24.8", "", "give both latitude and longitude, or neither"),
    ],
)
def test_bad_coordinates_are_refused(
    cast: Cast, tmp_path: Path, latitude: str, longitude: str, reason: str
) -> None:
    text = f'kind,name,latitude,longitude\ncourt,A court,"{latitude}","{longitude}"\n'
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_places",
            str(write(tmp_path, text)),
            "--org",
            "test-network",
            stdout=StringIO(),
            stderr=err,
        )
    assert f"line 2: {reason}" in err.getvalue()
    assert not Place.objects.exists()


def test_unknown_organisation_is_refused(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No organisation with the slug 'nobody'"):
        run(write(tmp_path, GOOD), "--org", "nobody")


def test_a_file_that_is_not_utf8_is_refused(cast: Cast, tmp_path: Path) -> None:
    text = "kind,name\npolice_station,Café Road Police Station\n"
    with pytest.raises(CommandError, match="not UTF-8 text \\(line 2\\)"):
        run(write(tmp_path, text, encoding="cp1252"), "--org", "test-network")
    assert not Place.objects.exists()


def test_a_header_without_kind_and_name_is_refused(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Missing: kind"):
        run(write(tmp_path, "type,name\ncourt,A court\n"), "--org", "test-network")
