"""Name keys: how a name in any script is broken into tokens and keyed for search.

Pure functions, no database. A name is normalised (NFKC, case folded; the Arabic,
Persian, Urdu and Pashto letter variants unified, their vowel marks dropped), split
into tokens, and each token romanised with ICU (``Kazakh-Latin/BGN`` for Cyrillic,
``Arabic-Latin`` for Arabic script, ``Any-Latin`` for anything else) and folded to
ASCII. Particles are joined the way people write them both ways (``ud-din`` and
``uddin``, ``Abdul Latif`` and ``Abdullatif``, ``Saif ullah``), patronymic endings
(``-uly``, ``-ovich``, ``-ov``) also give the stem, and each token gets:

- ``r:`` its romanised form (``latifi``);
- ``c:`` its consonant skeleton: vowels and the semivowels w and y dropped, letters
  that spellings and scripts confuse merged (``ltf``);
- ``v:`` how it sounds: vowels kept, near consonants merged (``latifi``);
- ``g:`` the groups of the name-variant dictionary it belongs to (``variants``);

and the whole name a ``j:`` key, the skeleton of all its tokens run together, which
catches names split or joined differently, and an ``n:`` key, its romanised tokens in
alphabetical order (``n:aigerim bekova``): never looked up, it is what ``match_list``
reads to compare many people's spellings cheaply (``batch``). Keys are short strings so
that the database can index them (``matching.models.NameKey``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import icu

from qandas.lib.scripts import (
    ARABIC,
    ARABIC_UNIFY,
    CYRILLIC,
    LATIN,
    detect_script,
    folded,
    has_letter,
    normalise,  # noqa: F401  (read here by build_variants, migrations and bench/names.py)
)

from . import variants

ROMANISED = "n:"  # the key kind that holds a whole name romanised (``romanised``)

# Latin letters with marks that stand for a sound ASCII writes with two letters; folded
# before ICU's Latin-ASCII, which would drop the mark (č to c, not ch).
LATIN_FOLD = str.maketrans(
    {
        "č": "ch",
        "ć": "ch",
        "ç": "ch",
        "š": "sh",
        "ś": "sh",
        "ş": "sh",
        "ș": "sh",
        "ž": "zh",
        "ź": "z",
        "ż": "z",
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "ə": "a",
        "ı": "i",
        "ğ": "g",
        "ʻ": "",
        "ʼ": "",
        "'": "",
        "’": "",
        "ʿ": "",
        "ʾ": "",
    }
)
SPLIT = re.compile(
    r"[\s\-‐‑–—_.,;:/\\()\[\]{}\"“”«»|+&،؛=゠]+"
)  # Arabic comma, semicolon; Japanese double hyphen
# Symbols and sentence marks stuck to a word (``Kairat😀``, ``Aigul?``, ``Bek*``) are no
# part of a name, and are dropped from its pieces; what names hold between letters
# (apostrophes, ``ʿ``, the Persian zero-width non-joiner, the backtick written for an
# ayn) is kept. Symbols by their Unicode category; emoji skin tones, variation selectors
# and the joiner of emoji sequences, and the marks below, by name.
STRAY_CATEGORIES = frozenset({"So", "Sm", "Sc"})
STRAY = frozenset("?!¿¡؟*#@%…§¶†‡•‽\ufe0e\ufe0f\u200d") | {chr(c) for c in range(0x1F3FB, 0x1F400)}
NOT_ASCII_LETTER = re.compile(r"[^a-z]+")

# Particles written apart or joined: joined to the token after them ...
JOIN_NEXT = frozenset({"abd", "bd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdur", "abdus"})
JOIN_NEXT |= frozenset({"abu", "abou", "bu"})
# Those of them a name joined to one may be searched without (``Latif`` for ``Abdul
# Latif Karimi``, ``Rahman`` for ``Abdurrahman``), longest first (``name_part``).
PREFIXES = tuple(sorted(JOIN_NEXT - {"bd", "bu"}, key=lambda p: (-len(p), p)))
ASSIMILATED = frozenset({"abdur", "abdus"})  # their last letter is the name's first
# ... joining the tokens either side (``Nizam ud Din``, ``Zia ul Haq``) ...
JOIN_BOTH = frozenset({"ud", "ad", "ed", "ul", "ur", "us", "uz", "un", "al", "el", "ol"})
# ... and joined to the token before them, each spelling of one written one way
# (``Nizam uddin``, ``نظام الدین``, ``Saif ullah``).
SUFFIXES = dict.fromkeys(
    ("din", "deen", "dyn", "uddin", "uddeen", "addin", "eddin", "aldin", "aldyn"),
    "uddin",
) | dict.fromkeys(("ullah", "ulla", "allah", "alla", "allh", "ollah", "llh", "ullo"), "ullah")
# The endings of a name joined to ``SUFFIXES`` (as joined, and as typed in one word), which
# it may be searched without (``Nizam`` for ``Nizam ud-Din``, ``Saif`` for ``Saifullah``).
ENDS_JOINED: tuple[str, ...] = ("uddin", "uddeen", "addin", "eddin", "aldin", "aldyn")
ENDS_JOINED += ("ullah", "ulla", "allah", "ollah")
# The name left without the particle is keyed by itself when this long at least: not
# ``lah`` of ``Abdullah``, ``haq`` of ``Abdulhaq`` or ``nur`` of ``Nurullah``.
NAME_PART_MIN = 4
# Words that say "son of" or "daughter of": kept in the text, not keyed.
KINSHIP = frozenset({"uly", "ulu", "kyzy", "qyzy", "ibn", "bin", "bint", "binti", "ogly", "oglu"})
KINSHIP |= frozenset({"walad", "wald", "veled", "s/o", "d/o", "w/o"})
# European particles of family names (de Vries, van Dijk): kept in the text, not keyed.
KINSHIP |= frozenset({"de", "van", "von", "der", "den", "la", "le", "du", "del", "della", "di"})
# Not the Spanish "y": "Omarov Y." is an initial (found by exploratory testing, 14b).
KINSHIP |= frozenset({"da", "dos", "das", "ter", "ten", "zu"})
# A word one record of a person may have and another not: a patronymic (``Bolatuly``,
# ``Bolatovich``: the father's name, which a passport writes and a police list may not)
# or a title (``Mr``). Left over in a query (``search.score_many``), it lowers no score.
PATRONYMIC: tuple[str, ...] = ("uly", "ulu", "kyzy", "qyzy", "ovich", "evich", "ovna", "evna")
PATRONYMIC += ("ovych", "ivna", "ogly", "oglu")
# Russian Ильинична, Никитична; Uzbek o'g'li, ugli, qizi; Azerbaijani qızı (found by
# exploratory testing, 15: "Rustam Abdulla o'g'li Aliyev" scored every Rustam Aliyev 0.54).
PATRONYMIC += ("ichna", "ogli", "ugli", "qizi", "kizi", "gizi")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr"})
# Pakistani lists' titles: Mst. (Mussammat, مسماۃ) for a woman, Haji (حاجی) for one who
# made the pilgrimage (found by exploratory testing, 14b).
TITLES |= frozenset({"mst", "mussammat", "musammat", "mosammat", "msmah", "msmat"})
TITLES |= frozenset({"haji", "hajji", "alhaj", "hajy"})
# A patronymic's ending written apart from the father's name (``Marat uly``, ``Марат ұлы``,
# ``Marat-ovich``): joined to the word before, it is the one word ``Maratuly`` is, set
# aside alike (``aside``), instead of leaving the father's name over as a word the
# person's other records do not have.
PATRONYMIC_WORDS = frozenset(PATRONYMIC)


# Words a list writes between a person's name and their father's, as Pakistani police
# and courts write names ("Nurlan Kenzhebayev s/o Serik", "نورلان ولد سیرک"), or their
# husband's ("w/o"). Not "bin", "ibn" or "bint" (بن, بنت): in Arab names they are part
# of the name the person is registered under; nor "wald", a family name too; nor "S.O.",
# which is initials ("Omarov S.O." scored every Omarov 0.93, found by exploratory
# testing, 14a).
FATHER_OF = r"s\s*/\s*[o0]|d\s*/\s*[o0]|son\s+of|daughter\s+of|walad|ولد|دختر"
HUSBAND_OF = r"w\s*/\s*[o0]|wife\s+of|زوجہ|زوجه"
KIN = re.compile(rf"(?<!\w)(?:({FATHER_OF})|({HUSBAND_OF}))(?!\w)", re.IGNORECASE)
# A father's name written with the word before it ("S/O Serik" in a "Father" column).
FATHER_WRITTEN = re.compile(rf"^\s*(?:{FATHER_OF})(?!\w)\s*", re.IGNORECASE)


def without_kin(name: str, father_name: str = "") -> tuple[str, str]:
    """A name as a list writes it with the father's or husband's after it: the person's
    own name, and the father's name (the one given, else the one written after "s/o",
    "d/o", "walad" or "ولد", up to the next such word). A husband's name is left out:
    the registry does not hold it. A name with nothing before the word, or nothing after
    it, is left whole. A father's name given as "S/O Serik" is "Serik"."""
    father_name = FATHER_WRITTEN.sub("", father_name) if father_name else father_name
    found = KIN.search(name)
    if found is None or not name[: found.start()].strip() or not name[found.end() :].strip():
        return name, father_name
    own = name[: found.start()].strip(" ,;-")
    if found.group(1) and not father_name.strip():
        after = name[found.end() :]
        following = KIN.search(after)
        father_name = (after[: following.start()] if following else after).strip(" ,;-")
    return own, father_name


def aside(rom: str) -> bool:
    """Whether a romanised token is a patronymic or a title (``PATRONYMIC``, ``TITLES``)."""
    return rom in TITLES or bool(patronymic_stem(rom))


# A full name of this many words at least, one a patronymic, gives the father's name:
# "Омаров Ерлан Канатович", as an embassy writes names, or a passport's "Yerlan Kanatuly
# Omarov". Of two words, the second may be a family name shaped as one (Abramovich,
# Lukashevich), or the patronymic alone stands for a family name.
FULL_NAME = 3


def father_in(tokens: Sequence[Token]) -> tuple[int, str]:
    """Where a full name's patronymic is among its tokens, and the father's name it
    says, romanised (``Kanatovich``, ``Қанатұлы``: ``kanat``); ``(-1, "")`` for none, or
    a name of fewer than ``FULL_NAME`` words besides titles. The first word is never the
    patronymic, whether the family name comes first (Фамилия Имя Отчество) or last, and
    the first word after it shaped as one is: "Abramovich Roman Arkadyevich" and "Roman
    Arkadyevich Abramovich" are both Arkady's son (exploratory testing, 15, found
    "Карпович Роман Аркадьевич" read as Karp's)."""
    words = [at for at, token in enumerate(tokens) if token.rom not in TITLES]
    if len(words) >= FULL_NAME:
        for at in words[1:]:
            if father := patronymic_stem(tokens[at].rom):
                return at, father
    return -1, ""


def patronymic_stem(rom: str) -> str:
    """The father's name a romanised patronymic is made of (``kanatovich``: ``kanat``), or
    "" for a word that is none: its ending must leave three letters at least."""
    if not rom.endswith(PATRONYMIC):
        return ""
    for ending in PATRONYMIC:
        if rom.endswith(ending) and len(rom) - len(ending) >= 3:
            return rom[: -len(ending)]
    return ""


def father_named(father_name: str) -> str:
    """A father's name as a list gives it, the father's own name when it is one
    patronymic: a Kazakh ID's "Әкесінің аты" column may hold "Қанатұлы", and "Канатович"
    was 95% alike "Kanat" (exploratory testing, 15)."""
    tokens = tokens_of(father_name) if father_name else ()
    if len(tokens) == 1 and (father := patronymic_stem(tokens[0].rom)):
        return father
    return father_name


# Patronymic and family-name endings; a token ending with one is also keyed by its stem.
ENDINGS: tuple[str, ...] = ("ovich", "evich", "ovna", "evna", "ovych", "uly", "kyzy", "qyzy")
ENDINGS += ("ova", "eva", "ov", "ev", "ich")
# Polish and German spellings of -ov, and Polish women's forms (Sacharow: Sakharov;
# Kowalczykowa, Kowalczykówna: Kowalczyk).
ENDINGS += ("owna", "owa", "ow")
# Polish daughters' and wives' forms of a family name ending in -a, in Latin letters
# (Rasała: Rasałanka, Rasalina; Gemba: Gembianka, Gembina), keyed by a stem of at least
# four letters, which shares its skeleton with the family name itself.
WOMEN = ("ianka", "anka", "yna", "ina")

# The consonant skeleton: at each place the longest spelling listed first wins.
SKELETON_RULES = {
    "tsch": "C",
    "shch": "S",
    "sch": "S",
    "tch": "C",
    "tsh": "C",
    "dzh": "J",
    # Russian writes a Japanese or Italian z as дз (Yazawa: Ядзава, Zecchini: Дзеккини).
    "dz": "z",
    "ch": "C",
    "sh": "S",
    "zh": "J",
    "dj": "J",
    "kh": "h",
    "gh": "g",
    "ph": "f",
    "th": "t",
    "dh": "d",
    "ts": "z",
    "tz": "z",
    "ck": "k",
    "ce": "se",
    "ci": "si",
    "cy": "sy",
    "c": "k",
    "q": "k",
    "x": "ks",
    "v": "f",
    "p": "b",
}
SPELLINGS = re.compile("|".join(SKELETON_RULES))
TYPO_MIN = 4  # skeletons this long are also keyed less one letter, to forgive a typo
NO_VOWELS = str.maketrans(dict.fromkeys("aeiouyw"))


class Token(NamedTuple):
    """One piece of a name: as written, romanised, and its search keys.

    A named tuple, not a dataclass: an import makes one per token of every name, and a
    frozen dataclass costs several times as much to build."""

    text: str
    rom: str
    keys: frozenset[str] = frozenset()
    script: str = LATIN
    groups: frozenset[str] = frozenset()  # its g: keys, which scoring compares


@lru_cache(maxsize=8)
def _transliterator(rules: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(rules)


@lru_cache(maxsize=200_000)
def script_of(piece: str) -> str:
    """The script of a piece of a name (pieces repeat: the same given names, again)."""
    return LATIN if piece.isascii() else detect_script(piece)


@lru_cache(maxsize=200_000)
def romanise(piece: str) -> str:
    """A piece of a name (``folded``) in lowercase ASCII letters (``""`` if none are
    left), the Arabic-script letters written several ways unified first (``ARABIC_UNIFY``:
    ayn read as alef, teh marbuta as heh)."""
    if piece.isascii():
        return NOT_ASCII_LETTER.sub("", piece.casefold())  # what ICU's Latin-ASCII would give
    piece = piece.translate(ARABIC_UNIFY)
    script = script_of(piece)
    if script == LATIN:
        piece, rules = piece.translate(LATIN_FOLD), "Latin-ASCII"
    elif script == CYRILLIC:
        rules = "Kazakh-Latin/BGN; Any-Latin; Latin-ASCII"
    elif script == ARABIC:
        rules = "Arabic-Latin; Latin-ASCII"
    else:
        rules = "Any-Latin; Latin-ASCII"
    latin = _transliterator(rules).transliterate(piece).casefold()
    return NOT_ASCII_LETTER.sub("", latin)


@lru_cache(maxsize=200_000)
def skeleton(rom: str) -> str:
    """The consonant skeleton of a romanised token (``latifi`` and ``lateefi``: ``ltf``).

    Leading ``al``/``el`` (the Arabic article) is dropped, a final ``h`` too (``Fatimah``,
    ``Abdullah``, Arabic script's ``fatmh``) unless it ends a pair of letters written
    for one sound (``Fatikh``, ``Darwish``), and doubled letters are collapsed.
    """
    text = rom
    if len(text) > 4 and text[:2] in ("al", "el"):
        text = text[2:]
    if len(text) > 2 and text.endswith("h") and text[-2] not in "cdgkpstz":
        text = text[:-1]
    text = SPELLINGS.sub(lambda m: SKELETON_RULES[m.group()], text)
    return collapse(text.lower().translate(NO_VOWELS))


def stray(char: str) -> bool:
    """Whether ``char`` is a symbol or sentence mark, no part of a name (``STRAY``)."""
    return char in STRAY or unicodedata.category(char) in STRAY_CATEGORIES


def unify(piece: str) -> str:
    """A folded piece as search reads it (``normalise``): Arabic-script letter variants
    made one, a lone hamza dropped."""
    return piece if piece.isascii() else piece.translate(ARABIC_UNIFY)


def bare(piece: str) -> str:
    """A normalised piece of a name without the symbols stuck to it (``stray``)."""
    if piece.isalpha():  # nearly every piece: nothing to look at
        return piece
    return "".join(c for c in piece if not stray(c))


def _pieces(text: str) -> list[tuple[str, str]]:
    """(as written, romanised) for each piece, particles joined, kinship words dropped.
    A piece without a letter (``123``, ``?``, an emoji) is no part of a name: neither
    keyed nor scored, nor said to match anything; nor is a symbol stuck to a word."""
    # Split as written (``folded``), each piece romanised as search reads it: a match is
    # explained in the letters typed (``عایگول``), not as unified (``اایگول``).
    words = map(bare, SPLIT.split(folded(text)))
    raw = _patronymics_joined(
        [(p, romanise(p) or unified) for p in words if has_letter(unified := unify(p))]
    )
    # Particles are not keyed, unless the name is nothing else (``Van``, ``Da``).
    pieces = [(piece, rom) for piece, rom in raw if rom not in KINSHIP] or raw
    joined: list[tuple[str, str]] = []
    i = 0
    while i < len(pieces):
        piece, rom = pieces[i]
        following = pieces[i + 1] if i + 1 < len(pieces) else None
        if rom in JOIN_BOTH and following and following[1] in SUFFIXES:
            # "ud" + "din": the suffix's one spelling already holds the joiner.
            pieces[i + 1] = (piece + following[0], following[1])
        elif rom in SUFFIXES and joined:
            before = joined.pop()
            joined.append((before[0] + piece, before[1] + SUFFIXES[rom]))
        elif following and (rom in JOIN_NEXT or (rom in JOIN_BOTH and not joined)):
            pieces[i + 1] = (piece + following[0], rom + following[1])
        elif rom in JOIN_BOTH and joined and following:
            before = joined.pop()
            pieces[i + 1] = (before[0] + piece + following[0], before[1] + rom + following[1])
        else:
            joined.append((piece, rom))
        i += 1
    return joined


def _patronymics_joined(raw: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``raw`` with each patronymic ending written apart (``PATRONYMIC_WORDS``) joined to
    the name before it, when that is a name of three letters or more (not a particle)."""
    if PATRONYMIC_WORDS.isdisjoint(rom for _piece, rom in raw):
        return raw
    joined: list[tuple[str, str]] = []
    for piece, rom in raw:
        before = joined[-1] if joined else None
        if (
            rom in PATRONYMIC_WORDS
            and before is not None
            and len(before[1]) >= 3
            and before[1] not in PARTICLES
            and not before[1].endswith(PATRONYMIC)
        ):
            joined[-1] = (before[0] + piece, before[1] + rom)
        else:
            joined.append((piece, rom))
    return joined


# Endings Latvian, Lithuanian, Greek and Latin add to a name written in Latin letters
# (Maksims, Jaunzemis, Akindinos: Максим, Яунзем, Акиндин).
CASE_ENDINGS = ("us", "os", "is", "as", "s")
# Slavic adjective endings, as each orthography writes them (Jabłoński, Яблонський).
SKI = ("skiy", "skyy", "skyi", "skij", "skii", "sky", "ski")


def _stems(rom: str, script: str | None = None) -> list[str]:
    if script == LATIN and rom.endswith(WOMEN):
        for ending in WOMEN:
            if rom.endswith(ending) and len(rom) - len(ending) >= 4:
                return [rom[: -len(ending)]]
    if not rom.endswith(ENDINGS):
        return []
    for ending in ENDINGS:
        if rom.endswith(ending) and len(rom) - len(ending) >= 3:
            return [rom[: -len(ending)]]
    return []


def name_part(rom: str) -> str | None:
    """The name a token joined to a particle holds without it (``latif`` of
    ``abdullatif``, ``ltyf`` of Arabic script's ``abdalltyf``, ``nizam`` of
    ``nizamuddin``), ``NAME_PART_MIN`` letters at least; else None. A family name's
    ending is left out first: ``Abdullaev`` is ``Abdulla`` and ``-ev``, no ``laev``."""
    stems = _stems(rom)
    if stems:
        rom = stems[0]
    if rom.startswith("ab"):
        for prefix in PREFIXES:
            if rom.startswith(prefix):
                rest = rom[len(prefix) :]
                if prefix in ASSIMILATED and rest[:1] != prefix[-1]:
                    # The article's l taken by the name's first letter, written once:
                    # Abdurashid is Abdu-Rashid, Abdusamad Abdu-Samad (not ashid, amad).
                    rest = prefix[-1] + rest
                return rest if len(rest) >= NAME_PART_MIN else None
    if rom.endswith(ENDS_JOINED):
        for ending in ENDS_JOINED:
            if rom.endswith(ending):
                rest = rom[: -len(ending)]
                return rest if len(rest) >= NAME_PART_MIN else None
    return None


def _uninflected(rom: str, script: str) -> str:
    """``rom`` less a case ending (Latin letters only) or with one Slavic adjective
    ending; ``rom`` itself when it has neither."""
    for ending in SKI:
        if rom.endswith(ending) and len(rom) - len(ending) >= 3:
            return rom[: -len(ending)] + "sk"
    if script == LATIN:
        for ending in CASE_ENDINGS:
            if rom.endswith(ending) and len(rom) - len(ending) >= 4:
                return rom[: -len(ending)]
    return rom


COARSE = str.maketrans({"z": "s", "c": "s", "j": None, "g": "k", "h": None, "d": "t", "f": "b"})


DOUBLED = re.compile(r"(.)\1+")


def collapse(text: str) -> str:
    """Doubled letters once (``ll`` to ``l``)."""
    return DOUBLED.sub(_first, text)


def _first(match: re.Match[str]) -> str:
    # A function, not the template ``\1``, which Python expands in Python for each match.
    return match[1]


@lru_cache(maxsize=200_000)
def coarse(bones: str) -> str:
    """A skeleton with the nearest consonants merged too (s/z/c, k/g, d/t, b/f; no h, j)."""
    return collapse(bones.translate(COARSE))


SOUNDS = str.maketrans({"y": "i", "w": "u"})
# Vowels romanisations write with two letters (Korean eo, eu; English oo, ee; French ou).
VOWELS_SAID = {"eo": "o", "eu": "u", "oo": "u", "ee": "i", "ou": "u"}
VOWEL_PAIRS = re.compile("|".join(VOWELS_SAID))


@lru_cache(maxsize=200_000)
def sounds(rom: str) -> str:
    """A token's spelling with its vowels kept and its consonants merged as ``coarse``
    merges them (``kusmin`` and ``kuzmin``: ``kusmin``; ``elitsa`` and ``eliza``:
    ``elisa``). A skeleton cannot tell ``kusmin`` from ``kosman``; this can."""
    text = SPELLINGS.sub(lambda m: SKELETON_RULES[m.group()], rom).lower()
    text = text.translate(COARSE).translate(SOUNDS)
    return collapse(VOWEL_PAIRS.sub(lambda m: VOWELS_SAID[m.group()], text))


def deletions(bones: str) -> set[str]:
    return {bones[:i] + bones[i + 1 :] for i in range(len(bones))}


# One sound written differently by the orthographies and transliterations that meet in
# these lists: Slavic, German and Dutch j is y (Jolanda, Йоланда), German and Polish ch
# is kh (Olechnowicz, Олехнович), Polish rz, cz and sz are zh, ch and sh, and w is v.
# Applied in this order, so that Polish cz becomes ch and is not read as kh.
ALTERNATES = (("ch", "kh"), ("j", "y"), ("rz", "zh"), ("cz", "ch"), ("sz", "sh"), ("w", "v"))


@lru_cache(maxsize=200_000)
def alternate(rom: str, script: str = LATIN) -> str:
    """``rom`` respelt by ``ALTERNATES``; a Cyrillic г also as h, the way Russian writes a
    foreign h (Hautala: Гаутала, Henrik: Генрик); an Arabic-script ج also as g.
    ``rom`` itself when nothing applies."""
    if script == CYRILLIC:
        rom = rom.replace("g", "h")
        # Й before a vowel, romanised i, as Latin writes it (Йоланда: Yolanda, Jolanda).
        return "y" + rom[1:] if len(rom) > 1 and rom[0] == "i" and rom[1] in "aeou" else rom
    if script == ARABIC:
        # Egyptian Arabic, and Arabic writing a European name, use ج for g (Gabi, Jaber).
        return rom.replace("j", "g")
    for written, said in ALTERNATES:
        if written in rom:
            rom = rom.replace(written, said)
    return rom


# A token made only of Japanese syllables, as Hepburn, Kunrei and Nihon-shiki write them
# in Latin letters and as ICU romanises Russian's Polivanov spelling of them (Hiroshi,
# Hirosi, Хироси; Tsuruta, Turuta; Ichida, Итида; Jimura, Дзимура).
JAPANESE = re.compile(
    r"(?:(?:[kgsztdnhbpmr]y|sh|ch|tch|ts|dzh|dz|j|f|ss|ssh|tt|kk|pp|[kgsztdnhbpmrwy])?"
    r"[aeiou]|n|m(?=[bpm]))+"
)
# Each Hepburn spelling as Kunrei writes it, and long vowels once (Satou, Satoo: Sato).
KUNREI = (
    ("tch", "tt"),
    ("ssh", "ss"),
    ("dzh", "z"),
    ("dz", "z"),
    ("shi", "si"),
    ("sh", "sy"),
    ("chi", "ti"),
    ("ch", "ty"),
    ("tsu", "tu"),
    ("du", "zu"),
    ("di", "zi"),
    ("fu", "hu"),
    ("ji", "zi"),
    ("j", "zy"),
    ("ou", "o"),
    ("oo", "o"),
    ("uu", "u"),
    ("mb", "nb"),
    ("mp", "np"),
    ("mm", "nm"),
)


@lru_cache(maxsize=200_000)
def japanese(rom: str, script: str = LATIN) -> str:
    """A token of Japanese syllables as Kunrei would spell it (``hiroshi``, ``hirosi``
    and Cyrillic ``хироси``: ``hirosi``); ``rom`` itself when it is not one."""
    if script == ARABIC or len(rom) < 3:
        return rom
    said = rom.replace("kh", "h") if script == CYRILLIC else rom  # Хироси: Hiroshi
    if not JAPANESE.fullmatch(said):
        return rom
    rom = said
    for hepburn, kunrei in KUNREI:
        if hepburn in rom:
            rom = rom.replace(hepburn, kunrei)
    return rom


# Arabic script's y and w after a consonant, and not before a vowel: the long vowels i
# and u, as Latin writes them (كين: kyn, Ken; موري: mwry, Mori).
LONG_I = re.compile(r"(?<=[^aeiouyw])y(?!a)")
LONG_U = re.compile(r"(?<=[^aeiouyw])w(?!a)")


@lru_cache(maxsize=200_000)
def vowelled(rom: str, script: str = LATIN) -> str:
    """An Arabic-script token with its long vowels written as vowels; ``rom`` itself for
    other scripts."""
    if script != ARABIC:
        return rom
    return LONG_U.sub("u", LONG_I.sub("i", rom))


# The other spellings a token is keyed and compared as.
RESPELLINGS = (alternate, japanese, vowelled)


def spelling_keys(spelling: str) -> tuple[str, str, str]:
    """The ``r:``, ``c:`` and ``k:`` keys of another spelling of a token (a respelling,
    or a Latin piece typed without its marks); not its typos, which would double the
    index."""
    bones = skeleton(spelling)
    return (f"r:{spelling}", f"c:{bones}", f"k:{coarse(bones)}")


@lru_cache(maxsize=200_000)
def token_keys(rom: str, script: str = LATIN) -> frozenset[str]:
    keys: set[str] = set()
    others = {rom} | {respell(rom, script) for respell in RESPELLINGS}
    others |= {_uninflected(other, script) for other in others}
    for other in others - {rom}:
        keys.update(spelling_keys(other))
    if script != ARABIC:  # written without its short vowels
        keys.add(f"v:{sounds(rom)}")
    # Looked up by the name without its particle too (``latif``): the scoring compares
    # it as such (``search.without_particle``).
    part = name_part(rom)
    for form in (rom, *_stems(rom, script), *([part] if part else [])):
        keys.add(f"r:{form}")
        bones = skeleton(form)
        if bones:
            keys.add(f"c:{bones}")
            keys.add(f"k:{coarse(bones)}")
        if len(bones) >= TYPO_MIN:
            keys.update(f"d:{less}" for less in deletions(bones))
        if "w" in form:
            # German and Slavic spellings write v as w (Urwanzew, urvantsev).
            keys.add(f"c:{skeleton(form.replace('w', 'v'))}")
    keys |= variant_groups(rom)
    return frozenset(keys)


@lru_cache(maxsize=200_000)
def variant_groups(rom: str) -> frozenset[str]:
    """The ``g:`` keys of a token: the dictionary's groups of it and of its stem."""
    return frozenset(
        f"g:{group}" for form in (rom, *_stems(rom)) for group in variants.groups(form)
    )


# Marks ``LATIN_FOLD`` reads as a sound written with two letters (č: ch).
READ_MARKS = frozenset("čćçšśşșž")


@lru_cache(maxsize=200_000)
def plain_keys(piece: str) -> frozenset[str]:
    """Keys of a Latin piece with its marks dropped rather than read (Suljović as
    ``suljovic``, not ``suljovich``): how a keyboard without them types it."""
    if piece.isascii() or READ_MARKS.isdisjoint(piece) or script_of(piece) != LATIN:
        return frozenset()
    rom = NOT_ASCII_LETTER.sub("", _transliterator("Latin-ASCII").transliterate(piece))
    return frozenset(spelling_keys(rom)) if skeleton(rom) else frozenset()


@lru_cache(maxsize=100_000)
def analyse(text: str) -> tuple[Token, ...]:
    """The tokens of a name, each with its keys; empty for a name with no letters."""
    return tuple(
        Token(piece, rom, token_keys(rom, script) | plain_keys(piece), script, variant_groups(rom))
        for piece, rom in _pieces(text)
        if rom
        for script in (script_of(piece),)
    )


# Words that ``_pieces`` drops or joins to another.
PARTICLES = KINSHIP | JOIN_NEXT | JOIN_BOTH | frozenset(SUFFIXES) | PATRONYMIC_WORDS


@lru_cache(maxsize=100_000)
def tokens_of(text: str) -> tuple[Token, ...]:
    """The tokens of a name as scoring compares them: ``analyse`` without the search
    keys, which scoring does not read (only the dictionary groups). A search scores
    dozens of names it has never seen; keying each would cost most of its time.

    A name of plain ASCII words, none of them a particle, is split at its spaces, each
    word's token kept once (``match_list`` scores the names of tens of thousands of
    candidates a minute, most of them written so); any other goes through ``_pieces``,
    which gives such a name the same tokens."""
    if text.isascii():
        words = text.lower().split()
        if all(word.isalpha() for word in words) and PARTICLES.isdisjoint(words):
            return tuple(_latin_token(word) for word in words)
    return _tokens(text)


def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(
        Token(piece, rom, frozenset(), script_of(piece), variant_groups(rom))
        for piece, rom in _pieces(text)
        if rom
    )


@lru_cache(maxsize=200_000)
def _latin_token(word: str) -> Token:
    return Token(word, word, frozenset(), LATIN, variant_groups(word))


def joined_key(tokens: tuple[Token, ...]) -> str | None:
    """The skeleton of the whole name run together (``Haeng-jin`` and ``Haengjin``)."""
    if not tokens:
        return None
    bones = skeleton("".join(t.rom for t in tokens))
    return f"j:{bones}" if len(bones) >= 3 else None


def joined_keys(tokens: tuple[Token, ...]) -> set[str]:
    """Keys of the whole name run together: its skeleton (``j:``), and for a name of
    several tokens how it sounds, as one token's ``v:`` key does (``Doo-hee``,
    ``Du Hee``, ``Duhui``)."""
    found = set()
    joined = joined_key(tokens)
    if joined:
        found.add(joined)
    if len(tokens) > 1 and all(t.script != ARABIC for t in tokens):
        found.add(f"v:{sounds(''.join(t.rom for t in tokens))}")
    return found


def romanised(tokens: tuple[Token, ...]) -> str:
    """A name's romanised tokens in alphabetical order, as its ``n:`` key holds them."""
    return " ".join(sorted(t.rom for t in tokens))


def name_keys(text: str) -> set[str]:
    """Every search key of one name (what ``NameKey`` rows hold for it)."""
    tokens = analyse(text)
    keys: set[str] = joined_keys(tokens)
    for token in tokens:
        keys |= token.keys
    if tokens:
        keys.add(f"{ROMANISED}{romanised(tokens)}")
    return {key[:64] for key in keys}
