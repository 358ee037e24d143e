"""Files and records the documents tests share."""

from __future__ import annotations

import io

from PIL import Image

from qandas.accounts.models import City, Organisation
from qandas.people.models import Person


def person_in(organisation: Organisation, city: City, name: str = "Aigerim Test") -> Person:
    person = Person.objects.create(organisation=organisation, current_city=city)
    person.set_names([{"text": name}])
    return person


def png_bytes(size: tuple[int, int] = (12, 8), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


class RepeatableFile:
    """A file the test client can send again and again (a real file is read once)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data

    def read(self) -> bytes:
        return self.data
