"""Work in forked processes: results in order, and a process that dies is an error, not
a wait for ever (``multiprocessing.Pool.imap`` never returned)."""

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from qandas.lib.forked import Forked

READ_BEFORE = {"table": 0}  # what a parent has read before the fork, the workers have


def _squared_plus_read(number: int) -> int:
    return number * number + READ_BEFORE["table"]


def _dies_at_three(number: int) -> int:
    if number == 3:
        os._exit(1)  # as a process killed for memory ends: no exception, no result
    return number


def test_results_come_in_order_with_what_the_parent_read() -> None:
    READ_BEFORE["table"] = 1000
    try:
        with Forked(2) as pool:
            assert list(pool.map(_squared_plus_read, iter(range(20)))) == [
                n * n + 1000 for n in range(20)
            ]
    finally:
        READ_BEFORE["table"] = 0


def test_a_process_that_dies_is_an_error_not_a_wait() -> None:
    with Forked(2) as pool, pytest.raises(BrokenProcessPool):
        list(pool.map(_dies_at_three, range(10)))


def test_the_processes_are_forked_when_made_not_at_the_first_task() -> None:
    """What the parent reads (or opens: a database connection) after making the pool, its
    processes do not have."""
    with Forked(2) as pool:
        READ_BEFORE["table"] = 7
        try:
            assert list(pool.map(_squared_plus_read, [1, 2])) == [1, 4]
        finally:
            READ_BEFORE["table"] = 0
