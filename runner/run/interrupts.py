"""Stopping a run on request, the same on both backends. Ctrl-C (SIGINT) asks the run to stop at
the next safe point, the end of the current epoch once its checkpoint is written. SIGTERM, what
SLURM, Docker and Kubernetes send shortly before they kill, and a second Ctrl-C or SIGTERM stop
at once: the epoch in progress is redone by `runner resume`, since a scheduler's grace period
(Docker's 10 s, SLURM's 30 s) is shorter than most epochs. Either way the checkpoints stay, the
resume command is printed and the exit status is 128 + the signal's number (130, 143), so a
scheduler records the run as stopped, not finished."""

import signal
import sys

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """Raised from the signal handler into the training loop: stop now. `signum`: the signal. A
    BaseException, as KeyboardInterrupt is, so that no `except Exception` on the way swallows it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopRequest:
    """Within `with StopRequest() as stop:`, `stop.requested` turns true on the first SIGINT, and
    SIGTERM or a second signal raises Stopped; `stop.signum` is the last signal received."""

    def __init__(self):
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def __enter__(self):
        for signum in SIGNALS:
            try:
                self._previous[signum] = signal.signal(signum, self._received)
            except ValueError:  # not the main thread: leave the signals as they are
                break
        return self

    def __exit__(self, *exc):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        return False

    def _received(self, signum, frame):
        again, self.signum = self.requested, signum
        if signum == signal.SIGINT and not again:
            print("\nstopping after this epoch's checkpoint; press Ctrl-C again to stop now", file=sys.stderr)
            return
        why = "a second request" if again else signal.Signals(signum).name
        print(f"\nstopping now ({why}); the epoch in progress is redone on resume", file=sys.stderr, flush=True)
        raise Stopped(signum)


def stopped_message(path, signum: int) -> str:
    by = "at your request" if signum == signal.SIGINT else f"by {signal.Signals(signum).name}"
    return f"stopped {by}; continue with: runner resume {path}"
