"""A run's life in its directory, the same on both backends. A backend builds its data and network
first (so a run that cannot start leaves no directory behind), then opens the run: rank 0 creates
the directory, or takes the resumed run's, and says where it is; the other ranks join it. At the
end rank 0 writes summary.json, says the result, runs what follows a run (its endings) and names
the directory again. Backends return the Outcome this gives them, never an exit status."""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runner.recipe import reading
from runner.run import activity, atomic, epoch_log, launch, layout, resumption, rundir, watchdog
from runner.run.interrupts import stopped_message
from runner.run.peers import PeerLost

SHOWN = ("val_acc", "best")  # the figures the last lines print, when the run has them


class Pruned(Exception):
    """Raised by a run's `watch` to end it after an epoch: a sweep's pruner judged it hopeless."""

    def __init__(self, epoch: int, why: str):
        super().__init__(why)
        self.epoch = epoch


@dataclass(frozen=True)
class Outcome:
    path: Path | None  # the run directory; None for a dry run
    summary: dict | None = None  # what summary.json holds, on rank 0
    stopped: int | None = None  # the signal that stopped it (SIGINT, SIGTERM); resumable
    pruned: str | None = None  # why a sweep's pruner ended it early

    @property
    def exit_code(self) -> int:
        return 128 + self.stopped if self.stopped else 0


class Lifecycle:
    """One run, from opening its directory to its last line. `recipe`: the Recipe as read (its
    files go into the directory). `dataset`: what provenance.json records of the data. `resume`:
    the run directory a resumed run continues in. `trust`: checkpoints the run did not record may
    be loaded. `announce`: whether this process prints the run's directory and result (not a
    worker of a parent that does). `endings`: callables(path, summary) run once a run has
    finished, before its last line. `watch`: called with each epoch's metrics.csv row on rank 0,
    after its checkpoints; it may raise Pruned. `folder`: the run directory's name under log.dir
    (default: the recipe's name and the time)."""

    def __init__(
        self,
        recipe,
        dataset: dict,
        resume: Path | None = None,
        trust: bool = False,
        announce: bool = True,
        endings: tuple[Callable[[Path, dict], None], ...] = (),
        watch: Callable[[dict], None] | None = None,
        folder: str | None = None,
    ):
        self.recipe, self.dataset = recipe, dataset
        self.resume, self.trust, self.announce, self.endings = resume, trust, announce, endings
        self.watch, self.folder = watch, folder
        self.path: Path | None = None
        self.rank = 0
        self.watchdog: watchdog.Watchdog | None = None

    def _end(self, word: str = "bye") -> None:
        """Tell the watchdog this process ends: the run ended here (`bye`), or it reported a lost
        peer itself (`told`)."""
        if self.watchdog:
            self.watchdog.say(word)
            self.watchdog = None

    def worker(self) -> "Lifecycle":
        """The same run as one of the processes a parent started and announces for."""
        return Lifecycle(self.recipe, self.dataset, self.resume, self.trust, announce=False, folder=self.folder)

    def open(
        self,
        rank: int = 0,
        resumed_from: Path | None = None,
        done: int = 0,
        classes: tuple[str, ...] | None = None,
        path: Path | None = None,
        skipped: tuple[str, ...] = (),
        share: rundir.Share | None = None,
    ) -> Path:
        """The run directory: `path` when a parent made it, the resumed run's, or one rank 0 makes
        (which the other ranks join). `done`: the epochs the resumed checkpoint covers, whose
        later rows in metrics.csv are dropped (an epoch cut short is written again). `skipped`: the
        bad images and annotations data.skip_bad left out, printed and kept in provenance.json. `share`:
        how the processes an outside launcher started agree on the directory (rundir.Share)."""
        self.rank = rank
        made_here = path is None
        self.path = path or self.resume or rundir.open_for_rank(self.recipe, self.dataset, self.folder, share)
        if share:
            self.watchdog = watchdog.start(rank, launch.world(), share, launch.rank_zero_host(), self.path)
        if rank:
            return self.path
        if self.announce and made_here:
            print(f"run dir: {self.path}", flush=True)
        activity.started(self.path)
        if resumed_from is not None:
            print(f"resuming from {resumed_from} after epoch {done}", flush=True)
            for leftover in layout.checkpoints(self.path).glob(".*.tmp-*"):  # a write a kill cut short
                leftover.unlink()
            if self.recipe.overrides:  # `runner resume RUN_DIR train.epochs=N`
                resumption.record_longer(self.path, self.recipe)
            epoch_log.drop_from(self.path / layout.METRICS, done)
        if classes:
            atomic.write_text(self.path / layout.CLASSES, json.dumps(list(classes), indent=1) + "\n")
        if skipped:
            rundir.note_skipped(self.path, skipped)
            shown = "".join(f"\n  {line}" for line in skipped[:5])
            more = f"\n  ... and {len(skipped) - 5} more" if len(skipped) > 5 else ""
            print(f"data.skip_bad: left out {len(skipped)} bad items (listed in provenance.json):{shown}{more}")
        return self.path

    def summary(self) -> dict | None:
        """What the run's summary.json holds, or None when it has none (or none that reads)."""
        try:
            summary = reading.read_json(self.path / layout.SUMMARY)
        except (OSError, ValueError):
            return None
        return summary if isinstance(summary, dict) else None

    def nothing_left(self, done: int, summary: dict | None = None) -> Outcome:
        """A resumed run whose checkpoint already covers every epoch: its summary.json stands, or
        `summary` (what the checkpoint recorded) is written when a kill came before it."""
        print(
            f"all {done} epochs are done; to train on: runner resume {self.path} train.epochs=N",
            flush=True,
        )
        self._end()
        if self.rank == 0 and self.summary() is None and summary is not None:
            return self.finish(summary)
        if self.rank == 0:
            activity.ended(self.path)
        return Outcome(self.path, self.summary())

    def stopped(self, signum: int) -> Outcome:
        """A run stopped by `signum` (runner.run.interrupts): its checkpoints stay; say how to go on."""
        self._end()
        if self.rank == 0:
            activity.ended(self.path)
        print(stopped_message(self.path, signum), file=sys.stderr, flush=True)
        return Outcome(self.path, stopped=signum)

    def finish(self, summary: dict | None) -> Outcome:
        """Rank 0's end of a run: summary.json, and (when announcing) the result, the endings and
        the directory; other ranks pass None and just end."""
        self._end()
        if self.rank or summary is None:
            return Outcome(self.path)
        activity.ended(self.path)
        summary = self.record(summary)
        if self.announce:
            self.conclude(summary)
        return Outcome(self.path, summary)

    def pruned(self, pruned: Pruned) -> Outcome:
        """A run its watch ended early: its checkpoints and rows so far stay, marked pruned."""
        self._end()
        if self.rank == 0 and self.path is not None:
            activity.pruned(self.path, str(pruned))
            print(f"pruned after epoch {pruned.epoch + 1}: {pruned}", flush=True)
        return Outcome(self.path, pruned=str(pruned))

    def failed(self, error: Exception) -> None:
        """Say in the run directory (when one was opened) why the run failed. A failure of this
        process's own is left for the peers' watchdogs to see, so that they stop too."""
        if isinstance(error, PeerLost):
            self._end("told")
        if self.path is not None and self.rank == 0:
            activity.failed(self.path, str(error).splitlines()[0] if str(error) else type(error).__name__)

    def record(self, summary: dict) -> dict:
        """Write summary.json, naming checkpoints relative to the run directory."""
        summary = {
            **summary,
            **{k: layout.recorded_name(summary[k]) for k in ("best_checkpoint", "last_checkpoint") if summary.get(k)},
        }
        atomic.write_text(self.path / layout.SUMMARY, json.dumps(summary, indent=2) + "\n")
        return summary

    def conclude(self, summary: dict) -> None:
        shown = {k: summary.get(k) for k in SHOWN}
        print(", ".join(f"{k} {v:.4f}" for k, v in shown.items() if v is not None) or "no validation ran")
        for ending in self.endings:
            ending(self.path, summary)
        print(f"run dir: {self.path}", flush=True)
