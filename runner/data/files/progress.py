"""One line of download progress: bytes so far of the total, speed and time left.

On a terminal the line is redrawn in place at most five times a second; in a log (a file, CI)
a line is written every LOG_EVERY seconds and once at the end, so logs stay short.
"""

import sys
import time

LOG_EVERY = 10.0  # seconds between progress lines when the output is not a terminal
WIDTH = 24  # characters in the bar


class Progress:
    def __init__(self, name: str, total: int | None, done: int = 0, out=None, clock=time.monotonic):
        self.name, self.total, self.done = name, total, done
        self.out = out or sys.stderr
        self.live = hasattr(self.out, "isatty") and self.out.isatty()
        self.clock = clock
        self.started = self.last = clock()
        self.start_bytes = done  # resumed bytes do not count towards the speed

    def add(self, count: int) -> None:
        self.done += count
        now = self.clock()
        if now - self.last >= (0.2 if self.live else LOG_EVERY):
            self.last = now
            self._write(self.line(now))

    def close(self) -> None:
        self._write(self.line(self.clock()), end="\n")

    def line(self, now: float) -> str:
        seconds = max(now - self.started, 1e-9)
        speed = (self.done - self.start_bytes) / seconds
        parts = [self.name]
        if self.total:
            filled = min(WIDTH, WIDTH * self.done // self.total)
            parts.append("[" + "#" * filled + "-" * (WIDTH - filled) + "]")
            parts.append(f"{megabytes(self.done)} / {megabytes(self.total)}")
        else:
            parts.append(megabytes(self.done))
        parts.append(f"{speed / 1e6:.1f} MB/s")
        if self.total and speed > 0 and self.done < self.total:
            parts.append(f"{(self.total - self.done) / speed:,.0f} s left")
        return "  ".join(parts)

    def _write(self, text: str, end: str = "") -> None:
        if self.live:
            print("\r" + text + "\033[K", end=end, file=self.out, flush=True)
        else:
            print(text, file=self.out, flush=True)


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"
