"""Duplicate review queue benchmark: how many people registered twice it proposes.

Run by hand (never by .ci/run), from the repository root:

    .venv/bin/python bench/duplicates.py [--people 1000000] [--rows 4000] [--seed N]
        [--work var/bench-duplicates]

The registry and the second registrations are ``bench/linkage.py``'s population and list
(held-out Wikidata name groups only, never in the variant dictionary): each list row is
registered again as a person with ``import_people``, four in five of them twins of
someone in the registry written with other spellings, in one script or several, with
their birth year (missing one row in seven) and, one row in two, their father's name;
the others are nobody in it. ``refresh_duplicates`` then compares the new people with
the registry, as it does after any import, and the benchmark reads the pairs it stored.

Measures, for the twins, how often the pair with their own record is in the review queue
(scored at least ``duplicates.THRESHOLD``), with and without a birth year; for the others,
how often they are in the queue with anyone (a namesake proposed for review); and the
time ``refresh_duplicates`` took a person. Baseline in the same run: pairing people whose
names romanise alike (the same ``n:`` key: the same romanised words), as a plain
"same name" check would.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

import linkage  # the population, the list and the database (it sets Django's environment)
from names import manage

ROOT = Path(__file__).resolve().parent.parent


def again_csv(rows: list[linkage.Row], work: Path) -> Path:
    """The list's rows as people to register again, ``A-<row>`` each."""
    path = work / "again.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "name", "birth_year", "father_name", "city"])
        for number, row in enumerate(rows, start=1):
            year = "" if row.birth_year is None else row.birth_year
            writer.writerow([f"A-{number}", row.name, year, row.father_name, "karachi"])
    return path


def shares(database: Path, threshold: float) -> dict[str, dict[str, set[str]]]:
    """Of each person registered again, the external ids of those the queue pairs them
    with (stored scoring at least ``threshold``, the queue's), and of those the baseline
    pairs them with (the same ``n:`` key)."""
    with sqlite3.connect(database) as db:
        code = dict(db.execute("SELECT id, external_id FROM people_person"))
        queue: dict[str, set[str]] = defaultdict(set)
        for first, second, score in db.execute(
            "SELECT first_id, second_id, score FROM matching_likelypair"
        ):
            if score >= threshold:
                queue[code[first]].add(code[second])
                queue[code[second]].add(code[first])
        same: dict[str, set[str]] = defaultdict(set)
        named: dict[str, set[int]] = defaultdict(set)
        for key, person in db.execute(
            "SELECT key, person_id FROM matching_namekey WHERE key >= 'n:' AND key < 'o'"
        ):
            if key.startswith("n:"):
                named[key].add(person)
        for holders in named.values():
            again = [code[p] for p in holders if code[p].startswith("A-")]
            for one in again:
                same[one].update(code[p] for p in holders if code[p] != one)
    return {"queue": queue, "same name": same}


def table(rows: list[linkage.Row], found: dict[str, dict[str, set[str]]]) -> str:
    twins = [(f"A-{n}", r) for n, r in enumerate(rows, start=1) if r.truth]
    nobody = [f"A-{n}" for n, r in enumerate(rows, start=1) if not r.truth]
    with_year = [(a, r) for a, r in twins if r.birth_year is not None]
    without = [(a, r) for a, r in twins if r.birth_year is None]
    out = [
        f"| method | twins ({len(twins)}) | with a year ({len(with_year)}) "
        f"| without ({len(without)}) | nobody's, proposed ({len(nobody)}) | twins / baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    def share(pairs: dict[str, set[str]], which: list[tuple[str, linkage.Row]]) -> float:
        return sum(r.truth in pairs.get(a, ()) for a, r in which) / max(len(which), 1)

    base = share(found["same name"], twins)
    for method, pairs in found.items():
        proposed = sum(bool(pairs.get(a)) for a in nobody) / max(len(nobody), 1)
        out.append(
            f"| {method} | {share(pairs, twins):.3f} | {share(pairs, with_year):.3f} "
            f"| {share(pairs, without):.3f} | {proposed:.3f} "
            f"| {share(pairs, twins) / base if base else 0:.2f} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--work", default=str(ROOT / "var" / "bench-duplicates"))
    parser.add_argument("--cache", default=str(ROOT / "var" / "bench-cache"))
    args = parser.parse_args()

    import django

    django.setup()
    from qandas.matching.duplicates import THRESHOLD

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    groups = linkage.name_groups(Path(args.cache))
    people, rows = linkage.build(groups, args.people, args.rows, args.seed)
    people_csv, _rows_csv = linkage.write_csvs(people, rows, work)
    print(
        f"{len(groups)} held-out name groups; {args.people} people, {args.rows} registered "
        f"again ({sum(bool(r.truth) for r in rows)} twins) ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    database = work / "duplicates.sqlite3"
    env = linkage.fresh_database(database)
    manage(env, "import_people", str(people_csv), "--org", "bench", "--create-org")
    # The registry's own pairs are not measured: comparing a million people takes an hour.
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM matching_pairsstale")
    manage(env, "import_people", str(again_csv(rows, work)), "--org", "bench")
    start = time.perf_counter()
    manage(env, "refresh_duplicates")
    took = time.perf_counter() - start
    print(f"refresh_duplicates: {took:.1f} s, {1000 * took / len(rows):.1f} ms a person\n")
    print(table(rows, shares(database, THRESHOLD)))


if __name__ == "__main__":
    main()
