"""Which writing system a name is written in (Latin, Cyrillic or Arabic script), and the
Arabic-script letters that keyboards type in several ways."""

import re
import unicodedata
from functools import lru_cache

LATIN, CYRILLIC, ARABIC, OTHER = "latin", "cyrillic", "arabic", "other"

# Code point ranges of each script's letters, including Kazakh Cyrillic (Ә Ғ Қ Ң Ө
# Ұ Ү Һ І are in the Cyrillic block) and the Persian, Urdu and Pashto letters with
# Arabic's supplements and presentation forms.
RANGES = {
    CYRILLIC: [(0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)],
    ARABIC: [
        (0x0600, 0x06FF),
        (0x0750, 0x077F),
        (0x0870, 0x08FF),
        (0xFB50, 0xFDFF),
        (0xFE70, 0xFEFF),
    ],
    LATIN: [(0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F), (0x1E00, 0x1EFF)],
}


def has_letter(text: str) -> bool:
    """Whether ``text`` holds a letter of any script: what a name, or a piece of one, must
    have (docs/import.md). Digits, punctuation or an emoji alone name nobody, and would
    match one another."""
    return any(char.isalpha() for char in text)


@lru_cache(maxsize=4096)
def script_of_char(char: str) -> str | None:
    point = ord(char)
    for script, ranges in RANGES.items():
        if any(low <= point <= high for low, high in ranges):
            return script
    return OTHER if unicodedata.category(char).startswith("L") else None


def detect_script(text: str) -> str:
    """The script most of the letters are in; ``other`` when none of the three."""
    counts: dict[str, int] = {}
    for char in text:
        script = script_of_char(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return OTHER
    return max(counts, key=lambda s: (counts[s], s != OTHER))


# Arabic-script letters -----------------------------------------------------------------

# One letter that Arabic, Persian and Urdu keyboards type as different code points, drawn
# alike inside a word: to a reader of the script it is the same letter, so a name typed
# on one keyboard and on another is one name (``as_read``). Persian and Urdu draw a final
# yeh without dots, as Arabic draws alef maksura, and Egyptian writing uses alef maksura
# for a final yeh. Not here, because a reader sees another letter: Pashto's ې and ۍ,
# Urdu's ے and ھ (bari ye, do-chashmi he), Sindhi's ڪ, letters carrying a hamza (ئ أ إ آ
# ؤ), teh marbuta (فاطمة and فاطمه are two spellings, as Fatima and Fatimah are), ayn,
# and the Pashto and Urdu letters of their own sounds (ټ ٹ ډ ڈ ړ ڑ ڼ ں ښ ږ ځ څ ګ).
SAME_LETTER = {
    "ي": "ی",  # Arabic yeh: Persian and Urdu yeh
    "ى": "ی",  # alef maksura
    "ك": "ک",  # Arabic kaf: Persian and Urdu keheh
    "ہ": "ه",  # Urdu heh goal: Arabic and Persian heh
}
TATWEEL = "ـ"  # stretches a joined letter; no letter itself

# For search (``matching.keys``), which compares names as they sound once romanised:
# ``SAME_LETTER`` and the letters written several ways (Arabic, Persian, Urdu, Pashto
# keyboards and presentation forms) mapped to one; NFKC has already undone presentation
# forms. Several are other letters to a reader, which is why ``as_read`` does not use it.
ARABIC_UNIFY = str.maketrans(
    SAME_LETTER
    | {
        "ې": "ی",
        "ۍ": "ی",
        "ے": "ی",
        "ئ": "ی",
        "ڪ": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ھ": "ه",
        "ە": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ٹ": "ت",
        "ټ": "ت",
        "ڈ": "د",
        "ډ": "د",
        "ڑ": "ر",
        "ړ": "ر",
        "ں": "ن",
        "ڼ": "ن",
        "ښ": "ش",
        "ږ": "ژ",
        "ځ": "ز",
        "څ": "س",
        "ګ": "گ",
        # Ayn, which ICU romanises as a mark and Latin drops, begins or carries a vowel
        # where Latin writes one (Ali, Umar, Saeed): read as alef, a vowel.
        "ع": "ا",
        "ء": None,
        TATWEEL: None,
    }
)
# Vowel signs and other marks written over or under Arabic letters, and joiners.
ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]")
AS_READ = str.maketrans(SAME_LETTER | {TATWEEL: None})


# Invisible format characters (Unicode category Cf) but the zero-width non-joiner and
# joiner, which Persian, Urdu and Pashto spelling uses between letters: the zero-width
# space, the byte order mark, soft hyphens, and the marks and overrides that set the
# direction of text (an override in a name would turn the rest of a line around).
INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)


def visible(text: str) -> str:
    """``text`` without its invisible format characters (``INVISIBLE``): how a name
    typed, pasted from a message or read from a file is stored. Nobody can see them,
    and two names differing only by them would look the same everywhere."""
    return INVISIBLE.sub("", text)


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control code (a line break, a tab, DEL): never part of a
    name, whether typed into the API or read from a file's cell."""
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def normalise(text: str) -> str:
    """NFKC, case folded, Arabic-script letter variants unified (``ARABIC_UNIFY``) and
    vowel marks dropped: a name as search keys it (``matching.keys``)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return ARABIC_MARKS.sub("", text.translate(ARABIC_UNIFY))


def folded(text: str) -> str:
    """``text`` in one case, its letters as a reader sees them (``AS_READ``: NFKC, the
    Arabic-script letters of ``SAME_LETTER`` written one way, vowel signs, tatweel and
    joiners dropped), not unified as search reads them: ``normalise(folded(t))`` is
    ``normalise(t)``. How a name's words are shown when a match is explained."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return ARABIC_MARKS.sub("", text.translate(AS_READ))


def as_read(text: str) -> str:
    """``text`` as a reader sees it, whatever keyboard typed it: its invisible format
    characters dropped (Unicode category Cf: the zero-width space, non-joiner and
    joiner, the byte order mark, the marks that set the direction of text), its letters
    composed one way (NFKC: ``é`` as one character or as ``e`` and an accent), the
    Arabic-script letters of ``SAME_LETTER`` written one way, and the vowel signs and
    tatweel that Arabic-script writing may add or leave out dropped. Letters stay as
    typed otherwise: case, spelling, accents and hamzas."""
    visible = "".join(char for char in text if unicodedata.category(char) != "Cf")
    composed = unicodedata.normalize("NFKC", visible)
    return ARABIC_MARKS.sub("", composed.translate(AS_READ))
