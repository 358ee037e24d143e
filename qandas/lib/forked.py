"""Work shared out to processes forked from this one, its results in order.

The forked processes inherit what this one has read (a list's matcher, the variant
dictionary), so nothing is read or sent again. ``multiprocessing.Pool`` waited for ever
on a task whose process died (killed for memory, say): its ``imap`` never returned, and
``match_list`` or ``import_people`` hung with it. Here a dead process raises
``BrokenProcessPool`` from the next result.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

AHEAD = 2  # tasks sent to each process ahead of the result taken


def _nothing() -> None:
    return None


class Forked:
    """``jobs`` processes forked from this one now, as ``multiprocessing.Pool`` forks
    them: what it has read by now, they have. Its database connections must be closed
    first (a forked process must not share one), and they are forked before this one
    opens another: left to fork at the first task, as the executor does, they forked
    after ``refresh_stale`` had read the first batch, and a worker's query went down the
    connection it shared with this process, which then waited for ever."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.executor = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        self.executor.submit(_nothing).result()  # with "fork", every process starts now

    def map(self, work: Callable[[In], Out], items: Iterable[In]) -> Iterator[Out]:
        """``work`` of each item, in the items' order; a few sent ahead, not all at once
        (the items may be read from a file as they go)."""
        pending: deque[Future[Out]] = deque()
        for item in items:
            pending.append(self.executor.submit(work, item))
            if len(pending) >= self.jobs * AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        """Wait for the tasks running; those not started are dropped."""
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Forked:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
