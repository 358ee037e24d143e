"""Tuning name matching on a development split, never on the benchmark's.

Run by hand, from the repository root:

    .venv/bin/python bench/tune_names.py [--pool 360000] [--queries 400] [--misses 20]
        [--dictionary] [--ceiling]

``bench/names.py`` measures on the held-out Wikidata groups (``variants.held_out``) and
ar2en-test; nothing here reads either. The queries come from a development slice: one
in twenty of the groups that are *not* held out (by a second hash of the group id), and
ar2en-eval for Arabic script. Those groups are in the name-variant dictionary, so the
dictionary is switched off here, or with ``--dictionary`` rebuilt without them (and
without the held-out groups) the way ``build_variants`` builds it: what is measured is
what the keys, the candidate selection and the scoring do on names the dictionary does
not know, which is what the held-out split asks of them. The learned rewrites
(``rewrites``) are always learned again here without the dev groups.

It runs ``batch.Matcher``'s candidate selection and ``search``'s scoring in memory (the
keys of a pool computed with ``keys.name_keys``, postings in a dict), so that a change
can be tried on a 360k pool in minutes, and it says for each miss whether the right
person was never a candidate or was ranked below ten. Run ``bench/names.py`` for the
figures that count.

``--ceiling`` asks what better candidates could still win: it scores *everyone* sharing
a key held by at most ``batch.COMMON`` people (not only the ``PER_ROW`` a list's row
gets), and sorts each query by why its group is found or not: ``found`` (in the first
ten whatever the order of equals), ``tie`` (scoring as the tenth: the order of equals
decides), ``namesakes`` (ten or more others score 1, spelt as the query), ``outscored``
(ten others score more) and ``no key`` (no one of the group shares a key).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qandas.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("DEBUG", "True")

import django  # noqa: E402

django.setup()

from names import ALIAS, KAZAKH, NOT_RUSSIAN, rigour_names  # noqa: E402

from qandas.lib.scripts import detect_script  # noqa: E402
from qandas.matching import batch, keys, rewrites, search, variants  # noqa: E402
from qandas.matching.management.commands import build_variants  # noqa: E402

TESTS = ("cyr2lat", "ara2lat", "lat2lat")


def dev_group(group: str) -> bool:
    """One in twenty of the groups the dictionary holds: a second hash, never held out."""
    return hashlib.sha256(f"dev:{group}".encode()).digest()[0] % 20 == 0


def load(names_dir: Path, per_test: int, seed: int) -> tuple[list, dict, list]:
    rnd = random.Random(seed)
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    targets: dict[str, list[str]] = {}
    others: list[str] = []
    for line in rigour_names(ROOT / "var" / "bench-cache").splitlines():
        match = ALIAS.match(line)
        if not match:
            continue
        group, text = match.group(2), match.group(1)
        if variants.held_out(group, text.casefold()):
            continue  # the benchmark's split: never read here
        aliases = [a.strip() for a in text.split(",") if a.strip()]
        latin = [a for a in aliases if detect_script(a) == "latin" and len(a) <= 200]
        if not dev_group(group):
            others.extend(latin)
            continue
        if not latin:
            continue
        targets[group] = latin
        cyrillic = [
            a
            for a in aliases
            if detect_script(a) == "cyrillic" and not (NOT_RUSSIAN | KAZAKH) & set(a)
        ]
        arabic = [a for a in aliases if detect_script(a) == "arabic"]
        if cyrillic:
            wanted["cyr2lat"].append((cyrillic[0], group))
        if arabic:
            wanted["ara2lat"].append((arabic[0], group))
        if len(latin) >= 2:
            wanted["lat2lat"].append((latin[0], group))
    ar2en = names_dir / "google-ar2en"
    for number, line in enumerate((ar2en / "ar2en-eval.txt").read_text("utf-8").splitlines()):
        written, _tab, spelling = line.partition("\t")
        group = f"eval-{number}"
        targets[group] = [spelling]
        wanted["ara2lat"].append((written, group))
    others.extend(
        line.partition("\t")[2]
        for line in (ar2en / "ar2en-train.txt").read_text("utf-8").splitlines()
    )
    queries = []
    for test in TESTS:
        for text, group in rnd.sample(wanted[test], min(per_test, len(wanted[test]))):
            queries.append((test, text, group))
    # A Latin query's own spelling is not in the pool.
    excluded = {(g, t) for test, t, g in queries if test == "lat2lat"}
    targets = {
        g: [s for s in spellings if (g, s) not in excluded] for g, spellings in targets.items()
    }
    return queries, targets, others


def pool_of(queries: list, targets: dict, others: list, size: int, seed: int) -> list:
    rnd = random.Random(seed)
    groups = sorted({g for _t, _q, g in queries})
    pool = [(s, g) for g in groups for s in targets[g]]
    pool += [(o, "") for o in rnd.sample(others, min(size - len(pool), len(others)))]
    # Ties go to the lower id (a name's place here): targets first, they would win them.
    rnd.shuffle(pool)
    return pool


def _keys(texts: list[str]) -> list[tuple[set[str], tuple]]:
    return [(keys.name_keys(t), keys.analyse(t)) for t in texts]


def index(pool: list) -> tuple[dict[str, list[int]], list]:
    texts = [t for t, _g in pool]
    step = 5000
    pieces = [texts[i : i + step] for i in range(0, len(texts), step)]
    with multiprocessing.get_context("fork").Pool(batch.cores()) as workers:
        keyed = [k for part in workers.map(_keys, pieces) for k in part]
    postings: dict[str, list[int]] = defaultdict(list)
    for pk, (found, _tokens) in enumerate(keyed):
        for key in found:
            postings[key].append(pk)
    return postings, [tokens for _found, tokens in keyed]


def sharing(wanted: set[str], postings: dict[str, list[int]]) -> search.Shared:
    """The people sharing the keys ``wanted`` held by at most ``batch.COMMON``, weighed."""
    return search.tally(
        {k: postings[k] for k in wanted if 0 < len(postings.get(k, ())) <= batch.COMMON}
    )


def candidates(wanted: set[str], postings: dict[str, list[int]]) -> list[int]:
    """``batch.Matcher._candidates`` for one row, in memory."""
    shared = sharing(wanted, postings)
    if not shared:
        present = sorted((k for k in wanted if postings.get(k)), key=lambda k: len(postings[k]))
        # Each of its rarest three keys counts once, as SQL counts them there.
        held = [pk for key in present[:3] for pk in postings[key]]
        shared = search.Shared.of(Counter(held).items())
    best = search.top_shared(shared, batch.PER_ROW)
    floor = best[0][1] * batch.SHARE_FLOOR if best else 0
    return [pk for i, (pk, n) in enumerate(best) if n >= floor or i < 10 * 2]


def run(queries: list, pool: list, postings: dict, analysed: list, misses: int) -> None:
    found_at: dict[str, list[int | None]] = defaultdict(list)
    among: dict[str, int] = Counter()
    shown: Counter[str] = Counter()
    started = time.perf_counter()
    for test, text, group in queries:
        tokens = keys.analyse(text)
        ids = candidates(search.query_keys(tokens), postings)
        if any(pool[pk][1] == group for pk in ids):
            among[test] += 1
        # Everyone's names scored at once; a name without tokens scores 0.
        named = [pk for pk in ids if analysed[pk]] if tokens else []
        scores: dict[int, float] = {}
        if named:
            found = search.score_names(tokens, [analysed[pk] for pk in named]).scores
            scores = dict(zip(named, found.tolist(), strict=True))
        scored = sorted(
            ((scores.get(pk, 0.0), pk) for pk in ids), key=lambda item: (-item[0], item[1])
        )
        rank = next((r for r, (_s, pk) in enumerate(scored[:10], 1) if pool[pk][1] == group), None)
        found_at[test].append(rank)
        if rank is None and shown[test] < misses:
            shown[test] += 1
            right = [pool[pk][0] for pk in range(len(pool)) if pool[pk][1] == group]
            why = "ranked low" if any(pool[pk][1] == group for pk in ids) else "no candidate"
            top = ", ".join(f"{pool[pk][0]} {s:.2f}" for s, pk in scored[:4])
            best = max(
                search.name_match(tokens, analysed[pk])[0]
                for pk in range(len(pool))
                if pool[pk][1] == group
            )
            tenth = scored[9][0] if len(scored) >= 10 else 0.0
            print(
                f"  {test} {text!r} wants {right[:4]} ({why}, scores {best:.2f} against"
                f" the tenth's {tenth:.2f}); top: {top}"
            )
    elapsed = time.perf_counter() - started
    print(f"\n{len(queries)} queries, {1000 * elapsed / len(queries):.1f} ms each")
    print(f"{'test':8} {'n':>5} {'R@1':>6} {'R@10':>6} {'cand':>6}")
    for test in TESTS:
        ranks = found_at[test]
        n = len(ranks) or 1
        r1 = sum(r == 1 for r in ranks) / n
        r10 = sum(r is not None for r in ranks) / n
        print(f"{test:8} {len(ranks):>5} {r1:6.3f} {r10:6.3f} {among[test] / n:6.3f}")


CEILING = ("found", "tie", "namesakes", "outscored", "no key")


def ceiling(queries: list, pool: list, postings: dict, analysed: list) -> None:
    """What scoring everyone who shares a rare key would find (``--ceiling``)."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for test, text, group in queries:
        tokens = keys.analyse(text)
        shared = sharing(search.query_keys(tokens), postings)
        ids = [pk for pk in shared.ids.tolist() if analysed[pk]] if tokens else []
        ours = [pool[pk][1] == group for pk in ids]
        if not any(ours):
            found[test]["no key"] += 1
            continue
        scores = search.score_names(tokens, [analysed[pk] for pk in ids]).scores.tolist()
        best = max(s for s, mine in zip(scores, ours, strict=True) if mine)
        others = [s for s, mine in zip(scores, ours, strict=True) if not mine]
        above = sum(s > best for s in others)
        if above + sum(s == best for s in others) < 10:
            found[test]["found"] += 1
        elif above < 10:
            found[test]["tie"] += 1
        elif sum(s >= 1.0 for s in others) >= 10:
            found[test]["namesakes"] += 1
        else:
            found[test]["outscored"] += 1
    print(f"\n{'test':8} {'n':>5} " + " ".join(f"{kind:>9}" for kind in CEILING))
    for test in TESTS:
        n = sum(found[test].values()) or 1
        shares = " ".join(f"{found[test][kind] / n:9.3f}" for kind in CEILING)
        print(f"{test:8} {n:>5} {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=int, default=360_000)
    parser.add_argument("--queries", type=int, default=400, help="per test")
    parser.add_argument("--misses", type=int, default=0, help="misses to print per test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--dictionary",
        action="store_true",
        help="use a dictionary built without the dev groups (default: no dictionary)",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="score everyone sharing a rare key, and say why each query's group is missed",
    )
    parser.add_argument("--names", type=Path, default=ROOT.parent / "shared" / "data" / "names")
    args = parser.parse_args()
    text = rigour_names(ROOT / "var" / "bench-cache")
    # The shipped rewrites were learned from the dev groups too: these are learned the
    # same way without them (nor the held-out ones).
    learned = {
        script: rewrites.train(pairs)
        for script, pairs in build_variants.wikidata_pairs(
            text, lambda g, a: variants.held_out(g, a) or dev_group(g)
        ).items()
    }
    rewrites.models = lambda: learned  # type: ignore[assignment]
    rewrites.spellings.cache_clear()
    if args.dictionary:
        # The shipped dictionary knows the dev groups; this one is built the same way
        # without them (nor the held-out ones), as the benchmark's dictionary is built
        # without its groups.
        ar2en = args.names / "google-ar2en" / "ar2en-train.txt"
        gaza = args.names / "gaza-dictionary" / "dict_ar_en.csv"
        groups = [
            *build_variants.wikidata_groups(
                text, lambda g, a: variants.held_out(g, a) or dev_group(g)
            ),
            *build_variants.pair_groups(ar2en, gaza),
        ]
        dev = {
            rom: ",".join(map(str, ids)) for rom, ids in build_variants.members_of(groups).items()
        }
        variants.table = lambda: dev  # type: ignore[assignment]
    else:
        variants.table.cache_clear()
        variants.PATH = Path("/nonexistent")  # the dictionary knows the dev groups: off
    queries, targets, others = load(args.names, args.queries, args.seed)
    pool = pool_of(queries, targets, others, args.pool, args.seed)
    started = time.perf_counter()
    postings, analysed = index(pool)
    print(f"pool {len(pool)}, keyed in {time.perf_counter() - started:.0f} s")
    if args.ceiling:
        ceiling(queries, pool, postings, analysed)
    else:
        run(queries, pool, postings, analysed, args.misses)


if __name__ == "__main__":
    main()
