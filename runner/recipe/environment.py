"""Where datasets live and whether the network may be used: the three environment variables
that steer dataset acquisition for every command and both backends.

RUNNER_DATA            the default data.root (and `runner download --root`); unset, the cache
                       folder below is used, so `runner download` and `runner run` meet there.
RUNNER_OFFLINE=1       the network is never touched: a missing dataset fails at once, naming
                       the files to place, as with data.download: false.
RUNNER_DATASET_MIRROR  a base URL to fetch official datasets from instead of their hosts.

Reading them needs nothing beyond the standard library, so `runner validate` stays fast.
"""

import os
from pathlib import Path

DATA_ENV = "RUNNER_DATA"
OFFLINE_ENV = "RUNNER_OFFLINE"
MIRROR_ENV = "RUNNER_DATASET_MIRROR"


def data_home() -> Path:
    """$RUNNER_DATA, else $XDG_CACHE_HOME/runner/datasets, else ~/.cache/runner/datasets
    (else data/, when the user has no home folder)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME")
    if not cache:
        try:
            cache = Path.home() / ".cache"
        except RuntimeError:  # no home folder (a container's nameless uid): the working folder's
            return Path("data")
    return Path(cache).expanduser() / "runner" / "datasets"


def offline() -> bool:
    """True when RUNNER_OFFLINE is set to anything but '', 0, false or no."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def mirror(given: str | None) -> str | None:
    """A mirror is the user's explicit choice: --mirror / data.mirror, else $RUNNER_DATASET_MIRROR."""
    return given or os.environ.get(MIRROR_ENV) or None
