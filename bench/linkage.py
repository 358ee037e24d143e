"""Batch linkage benchmark: ``match_list`` against Splink 5 on DuckDB, on the same lists.

Run by hand (never by .ci/run), from the repository root:

    .venv/bin/python bench/linkage.py [--people 1000000] [--rows 100000] [--seed N]
        [--work var/bench-linkage] [--splink-venv var/bench-venv-splink]
        [--skip-qandas] [--skip-splink]

The population is synthetic, its names public: each person combines a given name and a
surname, and has a father's name, each a Latin spelling drawn from a Wikidata person-name
group of rigour 1.8.2 (the wheel in var/bench-cache/, else ``pip
download``), and a birth year. Only held-out groups (``matching.variants.held_out``,
never in Qandas' variant dictionary) are used, and only their one-word spellings in
Latin, Cyrillic or Arabic script; a group is used when it has a Latin spelling and at
least one other. The list's rows: 80% are people of the population, written with a
*different* spelling of the same given name and surname groups (in one script the
groups share: Latin, Cyrillic or Arabic; or each word its own when they share none),
their birth year (missing one row in seven) and, one row in two, their father's name in
a spelling of the row's script; 20% are people who are not in the population (their
given name and surname groups are never both held by one person of it). The true person
of each row is kept by the benchmark and never given to either method.

- Qandas: a fresh SQLite database in the work dir, ``migrate``, one city,
  ``import_people`` (load) and ``match_list --top 10`` (link), run as commands.
- Splink 5 with DuckDB (bench/splink_link.py, run with the python of a venv this script
  creates on first use, with ``splink==5.0.0``, ``duckdb`` and ``unidecode``): a
  link_only linkage of the rows against the people, unidecode-romanised names; its wall
  time includes reading the CSVs, training and predicting.

Measures, for the rows of people in the population, how often the true person is the
first candidate (R@1) or among the first ten (R@10); for the rows of people not in it,
how often the first candidate scores above 0.8 (Qandas' score; Splink's
match_probability): the false-match rate. Prints one markdown table and the ratio of
the wall times.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qandas.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("DEBUG", "True")

# The name data, its checks and the command runner are the names benchmark's.
from names import ALIAS, CITY, manage, rigour_names  # noqa: E402

SPLINK = ("splink==5.0.0", "duckdb", "unidecode")
SCRIPTS = ("latin", "cyrillic", "arabic")
IN_POOL = 0.8  # of the rows, people of the population
YEAR_GIVEN = 6 / 7  # of the rows, with the birth year
FATHER_GIVEN = 0.5  # of the rows, with the father's name
FALSE_MATCH = 0.8  # a first candidate scoring above this is a match
TOP = 10


@dataclass
class Group:
    """A Wikidata name group: its usable one-word spellings, by script."""

    qid: str
    spellings: dict[str, list[str]]


@dataclass
class Person:
    external_id: str
    given: int  # group indices
    surname: int
    father: int
    given_text: str
    surname_text: str
    father_text: str
    birth_year: int


@dataclass
class Row:
    name: str
    birth_year: int | None
    father_name: str
    script: str  # of the name: latin, cyrillic, arabic or mixed
    truth: str  # the true person's external_id; "" for people not in the population


@dataclass
class Result:
    method: str
    people: int
    rows: int
    load_s: float
    link_s: float
    wall_s: float
    candidates: list[list[tuple[str, float]]]
    notes: list[str] = field(default_factory=list)


def name_groups(cache: Path) -> list[Group]:
    """Held-out groups with a Latin one-word spelling and at least one other spelling."""
    from qandas.lib.scripts import detect_script
    from qandas.matching import variants

    groups = []
    for line in rigour_names(cache).splitlines():
        match = ALIAS.match(line)
        if not match or not variants.held_out(match.group(2), match.group(1).casefold()):
            continue
        spellings: dict[str, list[str]] = {}
        for alias in sorted({a.strip() for a in match.group(1).split(",")}):
            script = detect_script(alias)
            if alias.isalpha() and 2 <= len(alias) <= 30 and script in SCRIPTS:
                # Wikidata's aliases are lower case; names are written capitalised.
                spellings.setdefault(script, []).append(alias.capitalize())
        if spellings.get("latin") and sum(len(s) for s in spellings.values()) >= 2:
            groups.append(Group(match.group(2), spellings))
    groups.sort(key=lambda g: g.qid)
    return groups


def population(groups: list[Group], size: int, rnd: random.Random) -> list[Person]:
    people = []
    for i in range(size):
        given, surname, father = (rnd.randrange(len(groups)) for _ in range(3))
        people.append(
            Person(
                external_id=f"P{i:07d}",
                given=given,
                surname=surname,
                father=father,
                given_text=rnd.choice(groups[given].spellings["latin"]),
                surname_text=rnd.choice(groups[surname].spellings["latin"]),
                father_text=rnd.choice(groups[father].spellings["latin"]),
                birth_year=rnd.randint(1940, 2008),
            )
        )
    return people


def outsider(
    groups: list[Group], taken: set[tuple[int, int]], number: int, rnd: random.Random
) -> Person:
    """A person not in the population: no one there has both their name groups."""
    while True:
        person = population(groups, 1, rnd)[0]
        if (person.given, person.surname) not in taken:
            person.external_id = f"X{number:07d}"
            return person


def others(group: Group, own: str, script: str | None = None) -> list[str]:
    """The group's spellings other than ``own``, in ``script`` (None: any script)."""
    scripts = SCRIPTS if script is None else (script,)
    return [s for sc in scripts for s in group.spellings.get(sc, []) if s != own]


def write_row(groups: list[Group], person: Person, truth: str, rnd: random.Random) -> Row:
    """The person as a list writes them: other spellings of their given name and surname."""
    given, surname = groups[person.given], groups[person.surname]
    shared = [
        sc
        for sc in SCRIPTS
        if others(given, person.given_text, sc) and others(surname, person.surname_text, sc)
    ]
    if shared:
        script = rnd.choice(shared)
        name = (
            f"{rnd.choice(others(given, person.given_text, script))} "
            f"{rnd.choice(others(surname, person.surname_text, script))}"
        )
    else:
        script = "mixed"
        name = (
            f"{rnd.choice(others(given, person.given_text))} "
            f"{rnd.choice(others(surname, person.surname_text))}"
        )
    father_name = ""
    if rnd.random() < FATHER_GIVEN:
        father = groups[person.father]
        in_script = father.spellings.get(script, [])
        father_name = rnd.choice(in_script or [person.father_text])
    year = person.birth_year if rnd.random() < YEAR_GIVEN else None
    return Row(name, year, father_name, script, truth)


def build(groups: list[Group], size: int, rows: int, seed: int) -> tuple[list[Person], list[Row]]:
    rnd = random.Random(seed)
    people = population(groups, size, rnd)
    taken = {(p.given, p.surname) for p in people}
    listed = []
    for number in range(rows):
        if rnd.random() < IN_POOL:
            person = people[rnd.randrange(size)]
            listed.append(write_row(groups, person, person.external_id, rnd))
        else:
            listed.append(write_row(groups, outsider(groups, taken, number, rnd), "", rnd))
    return people, listed


def write_csvs(people: list[Person], rows: list[Row], work: Path) -> tuple[Path, Path]:
    people_csv, rows_csv = work / "people.csv", work / "rows.csv"
    with open(people_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "name", "birth_year", "father_name", "city"])
        for p in people:
            writer.writerow(
                [
                    p.external_id,
                    f"{p.given_text} {p.surname_text}",
                    p.birth_year,
                    p.father_text,
                    "karachi",
                ]
            )
    with open(rows_csv, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "birth_year", "father_name"])
        for r in rows:
            writer.writerow([r.name, "" if r.birth_year is None else r.birth_year, r.father_name])
    # The answers, for looking into misses; neither method reads this file.
    with open(work / "truth.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "external_id", "script"])
        writer.writerows([i, r.truth, r.script] for i, r in enumerate(rows, start=1))
    return people_csv, rows_csv


def fresh_database(database: Path) -> dict[str, str]:
    """A new SQLite database at ``database``, migrated, with the city the people live
    in; the environment that runs commands on it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    manage(env, "migrate", "-v0")
    manage(env, "shell", "-c", CITY)
    return env


def run_qandas(people_csv: Path, rows_csv: Path, work: Path, people: int, rows: int) -> Result:
    env = fresh_database(work / "linkage.sqlite3")
    print(f"Qandas: import_people {people} people …", flush=True)
    start = time.perf_counter()
    manage(env, "import_people", str(people_csv), "--org", "bench", "--create-org")
    load = time.perf_counter() - start
    print(f"  {load:.1f} s ({people / load:.0f} rows/s); match_list {rows} rows …", flush=True)
    out = work / "qandas.jsonl"
    start = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        manage(env, "match_list", str(rows_csv), "--org", "bench", "--top", str(TOP), stdout=handle)
    link = time.perf_counter() - start
    print(f"  {link:.1f} s ({rows / link:.0f} rows/s)", flush=True)
    answers = [json.loads(line) for line in out.read_text("utf-8").splitlines() if line.strip()]
    assert [a["row"] for a in answers] == list(range(1, rows + 1)), "rows out of order"
    candidates = [
        [(c["external_id"] or "", float(c["score"])) for c in a["candidates"]] for a in answers
    ]
    return Result("Qandas match_list", people, rows, load, link, load + link, candidates)


def splink_python(venv: Path) -> Path:
    """The venv's python, with Splink 5, DuckDB and unidecode; made on first use."""
    python = venv / "bin" / "python"
    check = "import duckdb, splink, unidecode; assert splink.__version__ == '5.0.0'"
    if python.exists() and subprocess.run([str(python), "-c", check]).returncode == 0:
        return python
    print(f"Creating {venv} with {' '.join(SPLINK)} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *SPLINK], check=True)
    subprocess.run([str(python), "-c", check], check=True)
    return python


def run_splink(
    people_csv: Path, rows_csv: Path, work: Path, venv: Path, people: int, rows: int, seed: int
) -> Result:
    python = splink_python(venv)
    out, model = work / "splink.json", work / "splink-model.json"
    print(f"Splink 5 (DuckDB): {rows} rows against {people} people …", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [
            str(python),
            str(ROOT / "bench" / "splink_link.py"),
            str(people_csv),
            str(rows_csv),
            str(out),
            "--seed",
            str(seed),
            "--top",
            str(TOP),
            "--model",
            str(model),
        ],
        check=True,
    )
    wall = time.perf_counter() - start
    found = json.loads(out.read_text("utf-8"))
    print(
        f"  {wall:.1f} s: load {found['load_s']:.1f} s, train {found['train_s']:.1f} s, "
        f"predict and top {TOP} {found['predict_s']:.1f} s; {found['pairs']} pairs scored"
        f" (model: {model})",
        flush=True,
    )
    by_row = found["candidates"]
    candidates = [
        [(str(e), float(p)) for e, p in by_row.get(f"r{i}", [])] for i in range(1, rows + 1)
    ]
    return Result(
        "Splink 5 + DuckDB",
        people,
        rows,
        found["load_s"],
        found["train_s"] + found["predict_s"],
        wall,
        candidates,
        [f"{found['pairs']} pairs"],
    )


def scores(result: Result, rows: list[Row], which: list[int]) -> tuple[float, float, float]:
    """R@1 and R@10 on the rows of ``which`` in the population; false-match rate on the
    rows of ``which`` not in it."""
    inside = [i for i in which if rows[i].truth]
    outside = [i for i in which if not rows[i].truth]
    at1 = at10 = false = 0
    for i in inside:
        ids = [e for e, _s in result.candidates[i][:TOP]]
        at1 += bool(ids) and ids[0] == rows[i].truth
        at10 += rows[i].truth in ids
    for i in outside:
        first = result.candidates[i][:1]
        false += bool(first) and first[0][1] > FALSE_MATCH
    return (
        at1 / max(1, len(inside)),
        at10 / max(1, len(inside)),
        false / max(1, len(outside)) if outside else float("nan"),
    )


def table(results: list[Result], rows: list[Row]) -> str:
    everything = list(range(len(rows)))
    out = [
        "| method | people | rows | load s | load rows/s | link s | link rows/s | wall s "
        "| R@1 | R@10 | false match (>0.8) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        r1, r10, false = scores(r, rows, everything)
        out.append(
            f"| {r.method} | {r.people} | {r.rows} | {r.load_s:.1f} | {r.people / r.load_s:.0f}"
            f" | {r.link_s:.1f} | {r.rows / r.link_s:.0f} | {r.wall_s:.1f} | {r1:.3f}"
            f" | {r10:.3f} | {false:.3f} |"
        )
    out += ["", "R@1 / R@10 by the script the row's name is written in:", ""]
    scripts = [*SCRIPTS, "mixed"]
    counts = {s: sum(1 for r in rows if r.truth and r.script == s) for s in scripts}
    out.append("| method | " + " | ".join(f"{s} ({counts[s]})" for s in scripts) + " |")
    out.append("| --- |" + " ---: |" * len(scripts))
    for r in results:
        cells = []
        for script in scripts:
            which = [i for i, row in enumerate(rows) if row.truth and row.script == script]
            r1, r10, _false = scores(r, rows, which)
            cells.append(f"{r1:.3f} / {r10:.3f}" if which else "–")
        out.append(f"| {r.method} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--work", default=str(ROOT / "var" / "bench-linkage"))
    parser.add_argument("--cache", default=str(ROOT / "var" / "bench-cache"))
    parser.add_argument("--splink-venv", default=str(ROOT / "var" / "bench-venv-splink"))
    parser.add_argument("--skip-qandas", action="store_true")
    parser.add_argument("--skip-splink", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    groups = name_groups(Path(args.cache))
    people, rows = build(groups, args.people, args.rows, args.seed)
    people_csv, rows_csv = write_csvs(people, rows, work)
    in_pool = sum(1 for r in rows if r.truth)
    print(
        f"{len(groups)} held-out Wikidata name groups; {len(people)} people, {len(rows)} rows"
        f" ({in_pool} of people in the population) in {work}"
        f" ({time.perf_counter() - start:.1f} s)",
        flush=True,
    )
    del people
    results = []
    if not args.skip_qandas:
        results.append(run_qandas(people_csv, rows_csv, work, args.people, args.rows))
    if not args.skip_splink:
        venv = Path(args.splink_venv).resolve()
        results.append(
            run_splink(people_csv, rows_csv, work, venv, args.people, args.rows, args.seed)
        )
    if not results:
        return
    print()
    print(table(results, rows))
    if len(results) == 2:
        ours, theirs = results
        print(
            f"\nWall time Qandas/Splink: {ours.wall_s / theirs.wall_s:.2f}"
            f" (match_list alone: {ours.link_s / theirs.wall_s:.2f})"
        )


if __name__ == "__main__":
    main()
