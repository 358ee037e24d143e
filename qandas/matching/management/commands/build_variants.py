"""Rebuild ``matching/data/variants.tsv.gz`` and ``rewrites.tsv.gz`` from the public name
data (see ``variants`` and ``rewrites``)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qandas.lib.scripts import LATIN, detect_script
from qandas.matching import keys, rewrites, variants

RIGOUR_WHEEL_SHA256 = "21a375947ef9a1137452d3e1678a99ee364ef06f1de150ff39fe4a2d3179081a"
MAX_GROUPS = 8  # a spelling in more groups than this says nothing about which name it is
ALIAS = re.compile(r"^(.*?)\s*=>\s*(Q\d+)\s*$")


def spelling(alias: str) -> str | None:
    """The dictionary form of one alias: a single romanised token, or None."""
    pieces = [p for p in keys.SPLIT.split(keys.normalise(alias)) if p]
    if len(pieces) != 1:
        return None
    rom = keys.romanise(pieces[0])
    return rom if len(rom) >= 2 else None


def wikidata_aliases(
    text: str, skip: Callable[[str, str], bool]
) -> Iterator[tuple[str, list[str]]]:
    """The id and aliases of each Wikidata group of ``persons.txt`` that ``skip`` keeps."""
    for line in text.splitlines():
        match = ALIAS.match(line)
        if match and not skip(match.group(2), match.group(1).casefold()):
            yield match.group(2), match.group(1).split(",")


def wikidata_groups(text: str, skip: Callable[[str, str], bool]) -> Iterator[set[str]]:
    """The spellings of each Wikidata group of ``persons.txt`` that ``skip`` keeps."""
    for _group, aliases in wikidata_aliases(text, skip):
        yield {s for a in aliases if (s := spelling(a))}


def wikidata_pairs(text: str, skip: Callable[[str, str], bool]) -> dict[str, list[tuple[str, str]]]:
    """By script, (romanised spelling, Latin spelling) pairs of the one-word aliases of
    each Wikidata group that ``skip`` keeps (``rewrites.pairs_of``)."""
    pairs: dict[str, list[tuple[str, str]]] = {script: [] for script in rewrites.SCRIPTS}
    for group, aliases in wikidata_aliases(text, skip):
        spellings: defaultdict[str, set[str]] = defaultdict(set)
        for alias in aliases:
            alias = alias.strip()
            if not alias.isalpha() or (script := detect_script(alias)) not in pairs:
                continue
            rom = spelling(alias)
            if rom and rom.isalpha() and rom.isascii():
                spellings[script].add(rom)
        if spellings.get(LATIN):
            for script, found in pairs.items():
                found += rewrites.pairs_of(group, spellings, script)
    return pairs


def pair_groups(ar2en_train: Path, gaza: Path) -> Iterator[set[str]]:
    """The spellings of each Arabic-English pair of ar2en-train and the Gaza dictionary."""
    for line in ar2en_train.read_text(encoding="utf-8").splitlines():
        arabic, _tab, latin = line.partition("\t")
        yield {s for a in (arabic, latin) if (s := spelling(a))}
    with open(gaza, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            yield {s for a in row[:2] if (s := spelling(a.strip("()")))}


def members_of(groups: Iterable[set[str]]) -> dict[str, list[int]]:
    """Spelling -> the numbers of the groups of two or more it is in, if not too common."""
    members: dict[str, list[int]] = defaultdict(list)
    number = 0
    for group in groups:
        if len(group) < 2:
            continue
        number += 1
        for rom in group:
            members[rom].append(number)
    return {rom: ids for rom, ids in members.items() if len(ids) <= MAX_GROUPS}


class Command(BaseCommand):
    help = "Rebuild the name-variant dictionary from public name data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rigour-wheel", required=True, help="rigour-1.8.2-py3-none-any.whl")
        parser.add_argument("--ar2en-train", required=True, help="google-ar2en/ar2en-train.txt")
        parser.add_argument("--gaza", required=True, help="gaza-dictionary/dict_ar_en.csv")
        parser.add_argument("--output", default=str(variants.PATH))
        parser.add_argument("--rewrites-output", default=str(rewrites.PATH))

    def handle(self, *args: Any, **options: Any) -> None:
        wheel = Path(options["rigour_wheel"]).read_bytes()
        if hashlib.sha256(wheel).hexdigest() != RIGOUR_WHEEL_SHA256:
            raise CommandError("This is not the rigour 1.8.2 wheel (its SHA-256 differs).")
        with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
            text = archive.read("rigour/data/names/persons.txt").decode("utf-8")
        held = 0

        def skip(group: str, aliases: str) -> bool:
            nonlocal held
            held += variants.held_out(group, aliases)
            return variants.held_out(group, aliases)

        groups = [
            *wikidata_groups(text, skip),
            *pair_groups(Path(options["ar2en_train"]), Path(options["gaza"])),
        ]
        kept = members_of(groups)
        number = sum(1 for group in groups if len(group) >= 2)
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        with gzip.GzipFile(output, "wb", mtime=0) as raw, io.TextIOWrapper(raw, "utf-8") as out:
            for rom in sorted(kept):
                out.write(f"{rom}\t{','.join(map(str, kept[rom]))}\n")
        self.stderr.write(
            f"{number} groups, {len(kept)} spellings (the"
            f" too common left out), {held} Wikidata groups held out; written to {output}"
        )
        pairs = wikidata_pairs(text, variants.held_out)
        models = {script: rewrites.train(found) for script, found in pairs.items()}
        written = rewrites.write(models, Path(options["rewrites_output"]))
        counts = ", ".join(f"{script} {len(found)}" for script, found in sorted(pairs.items()))
        self.stderr.write(
            f"Rewrites: {written} learned from pairs ({counts}); written to"
            f" {options['rewrites_output']}"
        )
