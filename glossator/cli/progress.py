"""Progress on stderr for long steps: a live bar on a terminal, plain lines in a pipe or a CI log.

On a terminal (rich): sentences done/total, sentences per second and the time left. Elsewhere: one line each time
another ~10% is done or 30 s have passed, so a CI log shows life without drowning in it. ``--quiet`` silences both.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator

Progress = Callable[[int, int], None]


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class PlainProgress:
    """``translating: 1,200/12,000 sentences (10%), 5.1 sentences/s, about 35m20s left`` every 10% or 30 s."""

    def __init__(self, label: str, write: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self.label, self.write, self.clock = label, write, clock
        self.started = clock()
        self.last_time = self.started
        self.last_step = -1

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        step = 10 * done // total if total else 10
        if done and (step > self.last_step or now - self.last_time >= 30 or done == total):
            if done == total and self.last_step == 10:
                return
            self.last_step, self.last_time = step, now
            rate = done / max(now - self.started, 1e-9)
            line = f"{self.label}: {done:,}/{total:,} sentence{'' if total == 1 else 's'}"
            line += f" ({100 * done // max(total, 1)}%), {rate:.1f} sentences/s"
            if done < total:
                line += f", about {_duration((total - done) / rate)} left"
            self.write(line)


@contextlib.contextmanager
def progress(label: str, *, quiet: bool = False) -> Iterator[Progress | None]:
    """A progress callback ``(done, total)`` for *label*, or None when *quiet*."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():
        yield PlainProgress(label, lambda line: print(line, file=sys.stderr, flush=True))
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("sentences"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Bar(*columns, transient=True) as bar:
        task = bar.add_task(label, total=None, rate="")
        started = time.monotonic()

        def update(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:.1f} sentences/s" if done else "")

        yield update
