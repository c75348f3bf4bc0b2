"""A throwaway PostgreSQL cluster for the tests of sweeps that share an Optuna study: the
`postgres_url` fixture makes a fresh cluster in a temporary folder, listening only on 127.0.0.1
on a free port with trust authentication, creates the `runner_sweeps` database, yields its
SQLAlchemy URL, and on teardown stops the server and removes the folder, also when the test failed.

The binaries are Debian's `postgresql` package (`make install` installs it when run as root); they
live in /usr/lib/postgresql/VERSION/bin, which is usually not on PATH. initdb and the server refuse to run
as root, and CI runs as root, so there they run as the `postgres` user the package creates, in a
folder that user owns (made under the system's temporary folder, which that user can reach).

Tests use it by importing the fixture: `from tests.postgres import postgres_url  # noqa: F401`,
and `# noqa: F811` on each test that takes it as an argument (ruff reads that as redefining the import)."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

DATABASE = "runner_sweeps"
PROGRAMS = ("initdb", "pg_ctl", "postgres", "createdb")
USER = "runner"  # the cluster's superuser, whatever account runs the server


def postgres_bin() -> Path:
    """The folder holding initdb, pg_ctl, postgres and createdb; none fails the test in CI (CI=true), else skips it."""
    on_path = shutil.which("initdb")
    # resolved: a link on PATH (/usr/local/bin/initdb) points into the version's folder, which holds createdb
    folders = [Path(on_path).resolve().parent] if on_path else []
    by_version = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: _version(Path(f).parent.name))
    folders += [Path(folder) for folder in reversed(by_version)]
    found = next((f for f in folders if all((f / n).is_file() for n in PROGRAMS)), None)
    message = None
    if found is None:
        message = "no PostgreSQL: `make install` installs Debian's postgresql when run as root"
    elif os.geteuid() == 0 and not _has_user("postgres"):
        message = "no `postgres` user to run PostgreSQL as instead of root: Debian's postgresql package creates it"
    if message is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def postgres_url():
    """postgresql://runner@127.0.0.1:PORT/runner_sweeps, on a cluster of this test's own."""
    bin_dir = postgres_bin()
    # not pytest's tmp_path: as root that lies in /tmp/pytest-of-root, which the postgres user may not enter
    folder = Path(tempfile.mkdtemp(prefix="runner-postgres-"))
    data, log = folder / "data", folder / "server.log"
    as_server = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_server:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    try:
        _run([*as_server, bin_dir / "initdb", "-D", data, "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"], folder)
        with open(data / "postgresql.conf", "a") as conf:
            # the socket folder moves out of /var/run/postgresql, which a test's server may not write to
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{folder}'\n")
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")  # no crash to survive
        _run([*as_server, bin_dir / "pg_ctl", "-D", data, "-l", log, "-w", "start"], folder)
        _run([bin_dir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE], folder)
        yield f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            stop = [*as_server, bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
            subprocess.run(stop, cwd=folder, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list, folder: Path) -> None:
    # cwd: the postgres user may not enter the folder the tests run from
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        log = folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}{tail}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
