"""The name-variant dictionary: which romanised spellings are the same name.

Built by ``build_variants`` from public data (the Wikidata person-name groups shipped in
``rigour`` 1.8.2, the training split of Google's Arabic-to-English name pairs and the
TechForPalestine Arabic-English name dictionary) and shipped as
``data/variants.tsv.gz``: one romanised spelling per line with the numbers of the groups
it belongs to. One group in ten of the Wikidata groups (``held_out``) is never put in the
dictionary, and neither is any group with a name in Kazakh Cyrillic, so that the
benchmark measures on names the dictionary has not seen.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).with_name("data") / "variants.tsv.gz"


# Letters only Kazakh (and its Turkic neighbours) write in Cyrillic.
KAZAKH_LETTERS = frozenset("әғқңөұүһ")


def held_out(group_id: str, aliases: str = "") -> bool:
    """Whether a Wikidata group is kept out of the dictionary, for measuring on it.

    One group in ten by a hash of its id (``Q123``), and every group with a name written
    in Kazakh Cyrillic: there are too few of those (about 230) to measure Kazakh on a
    tenth of them.
    """
    if KAZAKH_LETTERS & set(aliases):
        return True
    return hashlib.sha256(group_id.encode()).digest()[0] % 10 == 0


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Romanised spelling -> its group numbers, comma-separated; read once per process."""
    if not PATH.exists():
        return {}
    with gzip.open(PATH, "rt", encoding="utf-8") as handle:
        text = handle.read()
    # Each line is "spelling<TAB>groups": split once, then pair every other piece
    # (measured a little quicker than splitting line by line; every process pays this
    # on first use).
    pieces = text.replace("\t", "\n").split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    return dict(zip(pieces[0::2], pieces[1::2], strict=True))


def groups(rom: str) -> list[str]:
    numbers = table().get(rom)
    return numbers.split(",") if numbers else []
