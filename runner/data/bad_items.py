"""Problems found in a data set's files (a bad box, a missing image, a mask of the wrong size): all
found before training, then either reported together, so a user fixes several in one go, or with
skip_bad left out, each one listed so that nothing bad is dropped silently.
"""

from runner.recipe.errors import RunFailed

SHOWN = 5  # problems listed in one message; the rest are counted
SKIP_FIX = "fix them, or set skip_bad: true to leave the bad items out (each is listed when the run starts)"


def settle(problems: list[str], where: str, key: str, skip_bad: bool) -> tuple[str, ...]:
    """The messages of the items left out (one per problem), or RunFailed listing the first
    problems when skip_bad is off. `where` names the file or folder the problems are in."""
    if problems and not skip_bad:
        lines = problems[:SHOWN] + ([f"and {len(problems) - SHOWN} more"] if len(problems) > SHOWN else [])
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        raise RunFailed(f"{key}: {where} has {count}:\n  " + "\n  ".join(lines) + f"\n{SKIP_FIX}")
    return tuple(f"{where}: {problem}; left out" for problem in problems)


def none_left(kept: int, skipped: tuple[str, ...], what: str, where: str, key: str) -> None:
    """RunFailed when nothing usable is left: a run on no images fails later, and less clearly."""
    if not kept:
        n = len(skipped)
        left_out = f" after leaving out {n} bad {'item' if n == 1 else 'items'}" if n else ""
        raise RunFailed(f"{key}: {where} has no usable {what}{left_out}; a data set needs at least one")
