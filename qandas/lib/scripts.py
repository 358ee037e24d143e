"""Which writing system a name is written in: Latin, Cyrillic or Arabic script."""

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
