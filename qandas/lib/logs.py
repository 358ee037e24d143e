"""Logging that keeps what people searched for out of the logs (security R28, T13).

A search goes by query string (``GET /api/v1/people?q=…``, as docs/api.md promises), and
a server logs each request's line: the name searched for would be written to every log
the server keeps. The query string is cut from what the server and Django log; the path
(opaque codes, never names: R13) is kept."""

from __future__ import annotations

import logging
import re

# Where a request line's query string ends: at its protocol (the last one in the text).
PROTOCOL = re.compile(r"\s+HTTP/\d")
CUT = "?…"


def without_query(text: str) -> str:
    """``text`` with any query string cut (``GET /api/v1/people?q=x HTTP/1.1`` →
    ``GET /api/v1/people?… HTTP/1.1``): from the first "?" to the protocol, or to the end
    when there is none. A query holds what a client sent unencoded (``q=Ma'ruf``, curl
    sends the quote as it is) and, in a malformed request, spaces and tabs: nothing of
    it is kept."""
    start = text.find("?")
    if start < 0:
        return text
    ends = [found.start() for found in PROTOCOL.finditer(text, start)]
    return text[:start] + CUT + (text[ends[-1] :] if ends else "")


class DropQueryStrings(logging.Filter):
    """Cut query strings from a record's values (the development server logs the request
    line as one), and from its message when it has none to format in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                without_query(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif not record.args and isinstance(record.msg, str):
            record.msg = without_query(record.msg)
        return True
