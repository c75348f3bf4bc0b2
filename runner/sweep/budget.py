"""How many trials a study has spent, the same in every process that shares it.

A trial counts once it has finished: complete, pruned, or failed for a reason it recorded (a NaN
loss, a recipe its values make invalid). A trial whose process died or was stopped (Ctrl-C,
kill -9) did not finish: it is marked failed without a reason and its values are queued again,
so its place in the budget goes to a new try. Processes claim a trial by asking the study for
one; a trial that finds `budget` trials numbered before it already counted, running or queued
steps aside unrun (marked surplus), so several processes finishing together never overshoot.
"""

import os
import platform

import optuna
from optuna.trial import FrozenTrial, TrialState

# User attributes a trial carries.
FAILURE = "failure"  # why it failed: a finished trial that counts
SURPLUS = "surplus"  # claimed past the budget; never ran
RETRY_OF = "retry_of"  # the number of the unfinished trial it tries again
HOST, PID = "host", "pid"  # the process running it
RUN_DIR = "run_dir"


def counts(t: FrozenTrial) -> bool:
    finished = t.state in (TrialState.COMPLETE, TrialState.PRUNED)
    return finished or (t.state == TrialState.FAIL and FAILURE in t.user_attrs)


def tally(trials: list[FrozenTrial]) -> tuple[int, int, int]:
    """(finished, running, queued) trials of a study."""
    done = sum(counts(t) for t in trials)
    running = sum(t.state == TrialState.RUNNING and SURPLUS not in t.user_attrs for t in trials)
    return done, running, sum(t.state == TrialState.WAITING for t in trials)


def surplus(trials: list[FrozenTrial], number: int, budget: int) -> bool:
    """Whether trial `number` comes after the budget: that many trials before it already count,
    run or wait. Numbers are given out in order by the storage, so all processes agree."""
    live = (TrialState.RUNNING, TrialState.WAITING)
    ahead = [t for t in trials if t.number < number and (counts(t) or t.state in live) and SURPLUS not in t.user_attrs]
    return len(ahead) >= budget


def claim(trial: optuna.Trial) -> None:
    """Mark `trial` as this process's, so that a later process on this host can tell it died."""
    trial.set_user_attr(HOST, _host())
    trial.set_user_attr(PID, os.getpid())


def _host() -> str:
    """This machine and its process-id namespace: containers that share a host name each number
    their processes from 1, and must not judge each other's by number."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{platform.node()}/{namespace}"


def retry(study: optuna.Study, trial: FrozenTrial) -> None:
    """Queue the values of a trial that did not finish, to be tried again by the next ask."""
    if trial.params:
        study.enqueue_trial(trial.params, user_attrs={RETRY_OF: trial.number})


def reclaim(study: optuna.Study) -> int:
    """Fail and queue again the running trials whose process on this host is gone (kill -9, a
    crash): no need to wait for their heartbeat to go stale. Returns how many."""
    found = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if t.user_attrs.get(HOST) != _host() or _alive(t.user_attrs.get(PID)):
            continue
        try:
            study.tell(t.number, state=TrialState.FAIL)
        except (ValueError, RuntimeError, optuna.exceptions.UpdateFinishedTrialError):  # another process was first
            continue
        retry(study, t)
        found += 1
    return found


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return True  # not ours to judge: its heartbeat will tell
    if pid == os.getpid():
        return False  # a dead process's number, given again: this one runs no trial between trials
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
