"""Ctrl-C during training: the first press asks the run to stop at the next safe point, the end
of the current epoch, once its checkpoint is written; a second press stops at once (the epoch in
progress is then redone by `runner resume`). Either way the resume command is printed."""

import signal
import sys


class StopRequest:
    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        try:
            self._previous = signal.signal(signal.SIGINT, self._first)
        except ValueError:  # not the main thread: leave Ctrl-C as it is
            self._previous = None
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False

    def _first(self, signum, frame):
        self.requested = True
        print("\nstopping after this epoch's checkpoint; press Ctrl-C again to stop now", file=sys.stderr, flush=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def stopped_message(path) -> str:
    return f"stopped at your request; continue with: runner resume {path}"
