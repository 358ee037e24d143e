"""Splink 5 (DuckDB) side of bench/linkage.py: link a list of rows against people.

Not run by itself: bench/linkage.py runs it with the python of a venv holding
``splink==5.0.0``, ``duckdb`` and ``unidecode`` (var/bench-venv-splink by default)::

    VENV/bin/python bench/splink_link.py PEOPLE.csv ROWS.csv OUT.json [--seed N]

PEOPLE.csv has the columns import_people reads (external_id, name, birth_year,
father_name, …); ROWS.csv the columns match_list reads (name, birth_year, father_name).
Row ``i`` (from 1) of ROWS.csv gets the unique id ``r{i}``. Writes to OUT.json the
times, the number of scored pairs and, for each row id, its 10 best people as
``[external_id, match_probability]``, best first.

What a Splink user would do with such lists: romanise every name with ``unidecode``
(casefolded, letters only), take its first word as the given name and its last as the
surname, block on name prefixes and the birth year (Splink has no phonetic keys of its
own), compare with Jaro-Winkler, estimate the prior from exact matches, train u by
random sampling and m by EM, predict every blocked pair and keep the 10 best per row.
Its whole wall time (reading the CSVs included) is what linkage.py compares.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from typing import Any

NOT_LETTER = re.compile(r"[^a-z ]+")


def roman(text: str) -> str:
    from unidecode import unidecode  # type: ignore[import-not-found,unused-ignore]

    return " ".join(NOT_LETTER.sub("", unidecode(text).casefold()).split())


def read(path: str, ids: str) -> dict[str, list[Any]]:
    """Columns of a CSV, with the romanised name split; ``ids``: "external_id" or "row"."""
    columns: dict[str, list[Any]] = {
        key: []
        for key in (
            "unique_id",
            "name",
            "name_rom",
            "given_rom",
            "surname_rom",
            "birth_year",
            "father_rom",
        )
    }
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            rom = roman(row.get("name", ""))
            words = rom.split()
            year = row.get("birth_year", "")
            father = roman(row.get("father_name", ""))
            columns["unique_id"].append(
                row["external_id"] if ids == "external_id" else f"r{number}"
            )
            columns["name"].append(row.get("name", ""))
            columns["name_rom"].append(rom or None)
            columns["given_rom"].append(words[0] if words else None)
            columns["surname_rom"].append(words[-1] if len(words) > 1 else None)
            columns["birth_year"].append(int(year) if year.isdigit() else None)
            columns["father_rom"].append(father or None)
    return columns


def main() -> None:
    import splink.comparison_library as cl  # type: ignore[import-not-found,unused-ignore]
    from splink import (  # type: ignore[import-not-found,unused-ignore]
        DuckDBAPI,
        Linker,
        SettingsCreator,
        block_on,
    )

    parser = argparse.ArgumentParser()
    parser.add_argument("people")
    parser.add_argument("rows")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--u-pairs", type=float, default=1e7)
    parser.add_argument("--model", default="", help="write the trained model's JSON here")
    args = parser.parse_args()

    started = time.perf_counter()
    db_api = DuckDBAPI()
    people = db_api.register(read(args.people, "external_id"), dataset_display_name="people")
    rows = db_api.register(read(args.rows, "row"), dataset_display_name="rows")
    loaded = time.perf_counter()

    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("substr(surname_rom, 1, 3)", "birth_year"),
            block_on("substr(given_rom, 1, 3)", "birth_year"),
            block_on("substr(given_rom, 1, 2)", "substr(surname_rom, 1, 2)"),
            # Romanised Arabic script keeps its consonants only: first letters and year.
            block_on("substr(given_rom, 1, 1)", "substr(surname_rom, 1, 1)", "birth_year"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("given_rom", [0.92, 0.8, 0.7]),
            cl.JaroWinklerAtThresholds("surname_rom", [0.92, 0.8, 0.7]),
            cl.ExactMatch("birth_year"),
            cl.JaroWinklerAtThresholds("father_rom", [0.9, 0.7]),
        ],
        additional_columns_to_retain=[],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([people, rows], settings, log_level="WARNING")
    training = linker.training
    # The prior: pairs agreeing on the whole romanised name and the year are matches,
    # and a third of the true matches agree so (spellings across scripts rarely do).
    training.estimate_probability_two_random_records_match(
        [block_on("name_rom", "birth_year")], recall=0.3
    )
    training.estimate_u_using_random_sampling(max_pairs=args.u_pairs, seed=args.seed)
    for rule in (
        block_on("substr(surname_rom, 1, 3)", "birth_year"),
        block_on("substr(given_rom, 1, 3)", "birth_year"),
        block_on("substr(given_rom, 1, 2)", "substr(surname_rom, 1, 2)"),
    ):
        training.estimate_parameters_using_expectation_maximisation(rule)
    trained = time.perf_counter()

    predictions = linker.inference.predict()
    name = predictions.physical_name
    # Bound: the table name is Splink's own, the number an int.
    sql = f"""
        SELECT row_id, person_id, match_probability FROM (
            SELECT
                CASE WHEN source_dataset_l = 'rows' THEN unique_id_l ELSE unique_id_r END
                    AS row_id,
                CASE WHEN source_dataset_l = 'rows' THEN unique_id_r ELSE unique_id_l END
                    AS person_id,
                match_weight, match_probability
            FROM {name}
        )
        QUALIFY row_number() OVER (
            PARTITION BY row_id ORDER BY match_weight DESC, person_id
        ) <= {int(args.top)}
        ORDER BY row_id, match_weight DESC, person_id
    """  # noqa: S608
    connection = db_api.duckdb_con
    pairs = connection.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0]  # noqa: S608
    candidates: dict[str, list[list[Any]]] = {}
    for row_id, person_id, probability in connection.sql(sql).fetchall():
        candidates.setdefault(row_id, []).append([person_id, probability])
    finished = time.perf_counter()
    if args.model:
        linker.misc.save_model_to_json(args.model, overwrite=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "load_s": loaded - started,
                "train_s": trained - loaded,
                "predict_s": finished - trained,
                "pairs": pairs,
                "candidates": candidates,
            },
            handle,
        )


if __name__ == "__main__":
    main()
