"""How fast ``import_people`` takes a list, against a baseline timed in the same run.

Run by hand, never by ``.ci/run``::

    .venv/bin/python bench/import_speed.py [--rows 20000] [--work var/bench-import]

The list is what a coordinator's spreadsheet looks like: every row a person with a
name in Latin letters and, in ``other_names``, the same name in Cyrillic (ICU's
``Latin-Cyrillic``) and in Arabic script, a sex, birth year, father's name, city,
phone and document number. Names are pairs of public Arabic-script/Latin names from
``../shared/data/names/google-ar2en/ar2en-train.txt`` put together at random: nobody
real.

Issue 6's target is 2,000 rows a second on SQLite. Machines differ, so the same run
also times a baseline on a fresh database: the same people and names written with
Django's ``bulk_create`` and no search keys, no checks and no progress, which is about
the least an import can do. It prints both rates and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT.parent / "shared" / "data" / "names" / "google-ar2en" / "ar2en-train.txt"
SEED = 6
HEADER = ["external_id", "name", "other_names", "sex", "birth_year", "father_name"]
HEADER += ["city", "phone", "document_number"]

BASELINE = """
import csv, os, time
from datetime import date
from qandas.accounts.models import City, Organisation
from qandas.people.models import Name, Person
rows = list(csv.DictReader(open(os.environ["BENCH_LIST"], encoding="utf-8")))
organisation = Organisation.objects.get(slug="bench")
city = City.objects.get(slug="karachi")
started = time.monotonic()
people = Person.objects.bulk_create(
    [
        Person(
            organisation=organisation, current_city=city, external_id=r["external_id"],
            sex="male" if r["sex"] == "m" else "female",
            birth_date=date(int(r["birth_year"]), 1, 1), father_name=r["father_name"],
            phones=[r["phone"]],
        )
        for r in rows
    ],
    batch_size=2000,
)
names = [
    Name(person=p, text=t, is_primary=i == 0, position=i)
    for p, r in zip(people, rows)
    for i, t in enumerate([r["name"], *r["other_names"].split(";")])
]
Name.objects.bulk_create(names, batch_size=2000)
print(f"BASELINE {len(rows) / (time.monotonic() - started):.1f}")
"""


def pairs() -> list[tuple[str, str]]:
    found = []
    for line in PAIRS.read_text("utf-8").splitlines():
        written, _tab, latin = line.partition("\t")
        if written and re.fullmatch(r"[a-z]{3,}", latin):
            found.append((written, latin.capitalize()))
    return found


def make_list(path: Path, rows: int) -> None:
    import icu

    to_cyrillic = icu.Transliterator.createInstance("Latin-Cyrillic")
    rnd = random.Random(SEED)
    names = pairs()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            (a_given, given), (a_family, family) = rnd.sample(names, 2)
            latin = f"{given} {family}"
            other = [to_cyrillic.transliterate(latin), f"{a_given} {a_family}"]
            writer.writerow(
                [
                    f"B-{i}",
                    latin,
                    ";".join(other),
                    rnd.choice("mf"),
                    rnd.randint(1940, 2020),
                    rnd.choice(names)[1],
                    "karachi",
                    f"+92300{rnd.randint(1000000, 9999999)}",
                    f"P{rnd.randint(10**7, 10**8 - 1)}",
                ]
            )


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def fresh(work: Path, name: str) -> dict[str, str]:
    database = work / f"{name}.sqlite3"
    for leftover in work.glob(f"{name}.sqlite3*"):
        leftover.unlink()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "False"}
    env.setdefault("SECRET_KEY", "bench-only")
    env["HTTPS"] = "False"
    manage(env, "migrate", "-v0")
    city = "from qandas.accounts.models import City, Organisation; "
    city += "City.objects.get_or_create(slug='karachi', defaults={'name': 'Karachi'}); "
    city += "Organisation.objects.create(slug='bench', name='Bench')"
    manage(env, "shell", "-c", city)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-import")
    options = parser.parse_args()
    work: Path = options.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    listing = work / "people.csv"
    make_list(listing, options.rows)

    env = fresh(work, "baseline")
    out = manage({**env, "BENCH_LIST": str(listing)}, "shell", "-c", BASELINE)
    baseline = float(re.search(r"BASELINE ([\d.]+)", out).group(1))  # type: ignore[union-attr]

    env = fresh(work, "import")
    started = time.monotonic()
    out = manage(env, "import_people", str(listing), "--org", "bench")
    wall = time.monotonic() - started
    inner = float(re.search(r"\(([\d.]+) rows/s\)", out).group(1))  # type: ignore[union-attr]
    print(f"rows: {options.rows} (3 names each: Latin, Cyrillic, Arabic script)")
    print(f"baseline, bulk_create without keys: {baseline:.0f} rows/s")
    print(f"import_people, reading to commit:   {inner:.0f} rows/s")
    print(f"import_people, whole command:       {options.rows / wall:.0f} rows/s ({wall:.1f} s)")
    print(f"import_people / baseline:           {inner / baseline:.2f}")
    print(f"import_people / target (2,000):     {inner / 2000:.2f}")


if __name__ == "__main__":
    main()
