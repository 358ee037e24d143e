"""How names written in one script are spelt in Latin letters: rewrites learned from pairs.

ICU romanises a Cyrillic name letter by letter, and a name that came into Russian from
English keeps little of its English spelling: ``Хантли`` romanises as ``khantli``, its
owner writes ``Huntley``. The dictionary knows the names it was built from; for the
others, ``build_variants`` learns which pieces of a romanised spelling become which
pieces of a Latin one (``kh`` at the start is often ``h``, a final ``i`` after a
consonant often ``ey``), from pairs of spellings of one Wikidata name group (one in the
source script, one in Latin), aligned letter by letter. Each rewrite keeps how often it
was made when its source piece appeared (``log`` of that share), with and without the
letter either side; rewrites made fewer than ``MIN_COUNT`` times or in under 1% of
cases are dropped.

``spellings`` then writes a romanised token the ``LIMIT`` likeliest ways, up to
``DEPTH`` rewrites each, and ``search.usual`` compares those with the Latin token
found. Shipped as ``data/rewrites.tsv.gz``: ``script, source piece, Latin piece, log
share`` a line; ``^`` and ``$`` mark a name's start and end. Built from the same groups
as the dictionary, so never from the benchmark's held-out ones.
"""

from __future__ import annotations

import gzip
import heapq
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from qandas.lib.scripts import ARABIC, CYRILLIC, LATIN

PATH = Path(__file__).with_name("data") / "rewrites.tsv.gz"
SCRIPTS = (CYRILLIC, ARABIC, LATIN)  # a token in these is rewritten towards Latin
LONGEST = 4  # letters of a rewrite's source piece, its context included
MIN_COUNT = 3
MIN_SHARE = 0.01
PER_GROUP = 40  # pairs of one name group at most: a few large groups would outweigh all
# Chosen on tune_names' development slice (never the benchmark's split): the likeliest 40
# spellings of up to 3 rewrites each, none less likely than one in a thousand, from the
# 40 likeliest rewrites of the token's pieces.
LIMIT = 40
DEPTH = 3
FLOOR = math.log(0.001)
APPLICATIONS = 40
# A spelling of fewer letters is not given: rewriting ``aly`` (علي) as ``ly`` made Ali's
# name match the surname Ly. On the development slice this cost nothing.
SHORTEST = 3

Model = dict[str, list[tuple[str, float]]]


def pairs_of(group: str, spellings: dict[str, set[str]], script: str) -> list[tuple[str, str]]:
    """(romanised spelling in ``script``, Latin spelling) pairs of one name group, at
    most ``PER_GROUP``, the same ones every time the model is built. A Cyrillic or
    Arabic-script name romanised as its Latin spelling is kept: how often a piece is left
    alone counts too."""
    sources, latin = sorted(spellings.get(script, ())), sorted(spellings.get(LATIN, ()))
    pairs = [(s, t) for s in sources for t in latin if s != t or script != LATIN]
    if len(pairs) > PER_GROUP:
        # Not a secret: a sample seeded by the group, the same on every build.
        pairs = random.Random(group).sample(pairs, PER_GROUP)  # noqa: S311
    return pairs


def _blocks(marked: str, into: str) -> Iterable[tuple[int, int, int, int]]:
    """The stretches where two marked spellings (``^source$``, ``^target$``) differ, by
    Levenshtein's alignment, neighbouring edits taken together."""
    stretch: tuple[int, int, int, int] | None = None
    for op in Levenshtein.opcodes(marked, into):
        if op.tag == "equal":
            if stretch:
                yield stretch
            stretch = None
        elif stretch:
            stretch = (stretch[0], op.src_end, stretch[2], op.dest_end)
        else:
            stretch = (op.src_start, op.src_end, op.dest_start, op.dest_end)
    if stretch:
        yield stretch


def train(pairs: Iterable[tuple[str, str]]) -> Model:
    """Source piece -> [(Latin piece, log share)], from (source, Latin) spellings."""
    made: Counter[tuple[str, str]] = Counter()
    seen: Counter[str] = Counter()
    for source, target in pairs:
        marked, into = f"^{source}$", f"^{target}$"
        for i1, i2, j1, j2 in _blocks(marked, into):
            if i2 - i1 <= LONGEST - 2:  # with a letter of context either side
                made[marked[i1 - 1 : i2 + 1], into[j1 - 1 : j2 + 1]] += 1
            if 0 < i2 - i1 <= LONGEST:
                made[marked[i1:i2], into[j1:j2]] += 1
        for size in range(1, LONGEST + 1):
            for at in range(len(marked) - size + 1):
                seen[marked[at : at + size]] += 1
    model: defaultdict[str, list[tuple[str, float]]] = defaultdict(list)
    for (piece, into_piece), count in sorted(made.items()):
        share = count / seen[piece]
        if count >= MIN_COUNT and share >= MIN_SHARE:
            model[piece].append((into_piece, round(math.log(share), 3)))
    return dict(model)


def write(models: dict[str, Model], path: Path) -> int:
    """Write the models; returns how many rewrites."""
    lines = [
        f"{script}\t{piece}\t{into}\t{share}\n"
        for script in sorted(models)
        for piece in sorted(models[script])
        for into, share in models[script][piece]
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as out:  # the same bytes from the same data
        out.write("".join(lines).encode("utf-8"))
    return len(lines)


@lru_cache(maxsize=1)
def models() -> dict[str, Model]:
    """The shipped models by script; read once per process."""
    found: dict[str, defaultdict[str, list[tuple[str, float]]]] = {}
    if PATH.exists():
        with gzip.open(PATH, "rt", encoding="utf-8") as handle:
            for line in handle:
                script, piece, into, share = line.rstrip("\n").split("\t")
                found.setdefault(script, defaultdict(list))[piece].append((into, float(share)))
    return {script: dict(model) for script, model in found.items()}


def rewrite(model: Model, rom: str, limit: int = LIMIT) -> list[tuple[str, float]]:
    """The ``limit`` likeliest other spellings of ``rom`` by up to ``DEPTH`` rewrites and
    the log of how likely each is, likeliest first (a spelling reached two ways counts its
    likelier), none shorter than ``SHORTEST``.

    The ``APPLICATIONS`` likeliest rewrites of the token's pieces are taken in sets, the
    likeliest set first: a set (increasing indexes into them) is followed by itself with
    its last rewrite moved on by one and by itself with the next one added, so each set
    comes once, and none after a likelier one. Trying every set of three found the same
    spellings (but for ties at the last place) in 1.5 ms a token; this takes 0.36 ms."""
    marked = f"^{rom}$"
    get = model.get
    applications = heapq.nlargest(
        APPLICATIONS,
        (
            (share, at, at + size, into)
            for size in range(1, LONGEST + 1)
            for at in range(len(marked) - size + 1)
            for into, share in get(marked[at : at + size], ())
        ),
    )
    found: dict[str, float] = {}
    if not applications:
        return []
    count = len(applications)
    pop, push = heapq.heappop, heapq.heappush
    sets: list[tuple[float, tuple[int, ...]]] = [(-applications[0][0], (0,))]
    while sets and len(found) < limit:
        unlikely, chosen = pop(sets)
        share, last = -unlikely, chosen[-1]
        one = applications[last]
        # Those before the last never overlap (a set whose first ones do has no followers).
        apart = True
        if len(chosen) > 1:
            begin, end = one[1], one[2]
            for other in chosen[:-1]:
                two = applications[other]
                if end > two[1] and begin < two[2]:
                    apart = False
                    break
        if last + 1 < count:
            step = applications[last + 1][0]
            moved = share - one[0] + step
            if moved >= FLOOR:
                push(sets, (-moved, (*chosen[:-1], last + 1)))
            if apart and len(chosen) < DEPTH and share + step >= FLOOR:
                push(sets, (-(share + step), (*chosen, last + 1)))
        if not apart:
            continue  # two rewrites of one letter
        if len(chosen) == 1:
            spelt = (marked[: one[1]] + one[3] + marked[one[2] :]).strip("^$")
        else:
            pieces, at = [], 0
            for _share, begin, end, into in sorted(
                [applications[index] for index in chosen], key=lambda a: a[1]
            ):
                pieces += [marked[at:begin], into]
                at = end
            pieces.append(marked[at:])
            spelt = "".join(pieces).strip("^$")
        if spelt != rom and len(spelt) >= SHORTEST and spelt not in found:
            found[spelt] = share
    return list(found.items())


# Forty spellings take about 2.7 KB: 20,000 tokens' at most 55 MB in each process.
@lru_cache(maxsize=20_000)
def spellings(rom: str, script: str) -> tuple[str, ...]:
    """The likeliest Latin spellings of a token romanised from ``script`` (none for a
    script without a model). How likely each is does not count: on the development slice,
    scoring the less likely a little lower lost recall@1 (0.807 to 0.787 for Cyrillic)."""
    model = models().get(script)
    return tuple(spelt for spelt, _share in rewrite(model, rom)) if model else ()
