"""Writing many rows at once, as fast as each engine takes them.

SQLite runs ``executemany`` in C, one prepared statement for every row. PostgreSQL
would get one statement per row, each parsed, planned and answered (psycopg pipelines
them, which still left an import four times slower than on SQLite); ``COPY ... FROM
STDIN`` streams the rows instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (values already prepared for the database, in ``columns``' order)
    into ``table``. Table and column names come from model metadata, never from input;
    every value is sent as data."""
    quoted_table = connection.ops.quote_name(table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Names from the model's metadata; the values are streamed as COPY data.
            with cursor.cursor.copy(f"COPY {quoted_table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quoted_table} ({quoted}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(sql, rows if isinstance(rows, list) else list(rows))
