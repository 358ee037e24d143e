"""Document numbers as they are compared, wherever they are looked up or scored."""


def number_key(text: str) -> str:
    """A document number's letters and digits, case folded: ``AB 123-456``, ``ab123456``
    and ``AB/123/456`` are one number, as a police list, a coordinator and a scan write
    it."""
    return "".join(c for c in text.casefold() if c.isalnum())
