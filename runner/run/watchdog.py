"""A small process beside each training process of a run an outside launcher spread over several
processes (and nodes). Rank 0's accepts one connection from each other rank's; each sends a beat
every BEAT_S. When a peer's connection closes without a goodbye, or stays silent for SILENT_S, it
says which rank is lost and stops its own training process, which would otherwise wait in a
collective until the library's timeout (gloo's is 30 minutes) or abort with a C++ trace
(Paddle's reducer). It is a process of its own, not a thread, so that it outlives an abort and
needs no interpreter lock; it imports only the standard library.

Its training process writes to it: `bye` (the run ended here; tell the peers, so they do not
mistake it for a loss) or `told` (it reported the lost peer itself). Its end without either is a
failure of its own, which the peers then see as this rank lost."""

import os
import selectors
import signal
import socket
import subprocess
import sys
import time

from runner.run import peers

BEAT_S = 1.0
SILENT_S = 30.0  # a node that stops answering (a crash, a cut network) is given up after this long
GRACE_S = 2.0  # a training process that saw the loss itself says so within this long
HELLO_S = 120.0  # how long rank 0's watchdog waits for the others' to connect
# A session of its own: a launcher that ends a failed training process's group (Paddle's does)
# must not end the watchdog before it has said why; it ends itself when its process has gone.
APART = {"start_new_session": True}


class Watchdog:
    """The training process's handle on its watchdog."""

    def __init__(self, process: subprocess.Popen):
        self.process = process

    def say(self, word: str) -> None:
        try:
            self.process.stdin.write(f"{word}\n".encode())
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass  # it is gone already, or will be when this process ends


def start(rank: int, world: int, share, host: str, path) -> Watchdog:
    """Start this rank's watchdog for the run in `path`; `share` is the collective that tells
    every rank where rank 0's listens (on `host`, the address the launcher reaches rank 0 at)."""
    command = [sys.executable, "-m", "runner.run.watchdog", str(rank), str(world), str(os.getpid()), str(path)]
    if rank == 0:
        process = subprocess.Popen([*command, host, "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, **APART)
        port = int(process.stdout.readline() or 0)
        share((host, port))
    else:
        host, port = share(None)
        process = subprocess.Popen([*command, host, str(port)], stdin=subprocess.PIPE, **APART)
    return Watchdog(process)


def main(rank: int, world: int, parent: int, path: str, host: str, port: int) -> int:
    watched = selectors.DefaultSelector()
    watched.register(sys.stdin.buffer, selectors.EVENT_READ, "parent")
    peers_of: dict[socket.socket, int] = {}
    if rank == 0:
        server = socket.create_server((host, port))
        print(server.getsockname()[1], flush=True)
        watched.register(server, selectors.EVENT_READ, "server")
    else:
        link = socket.create_connection((host, port), timeout=HELLO_S)
        link.sendall(f"{rank}\n".encode())
        peers_of[link] = 0
        watched.register(link, selectors.EVENT_READ, "peer")
    heard = {0: time.monotonic()} if rank else {}
    started, beat, lost = time.monotonic(), 0.0, None
    while lost is None:
        now = time.monotonic()
        if now - beat >= BEAT_S:
            beat = now
            for link in list(peers_of):
                _send(link, b".")
        if rank == 0 and len(heard) < world - 1 and now - started > HELLO_S:
            return _lost(rank, world, parent, path, "a rank that never connected", f"none came within {HELLO_S:.0f} s")
        for who, seen in heard.items():
            if now - seen > SILENT_S:
                return _lost(rank, world, parent, path, f"rank {who}", f"no word from it for {SILENT_S:.0f} s")
        for key, _ in watched.select(timeout=BEAT_S):
            if key.data == "server":
                link, _ = key.fileobj.accept()
                peer = int(link.makefile().readline() or -1)
                peers_of[link], heard[peer] = peer, time.monotonic()
                watched.register(link, selectors.EVENT_READ, "peer")
            elif key.data == "parent":
                word = sys.stdin.buffer.readline().strip()
                if word == b"bye":
                    for link in peers_of:
                        _send(link, b"B")
                return 0  # `told`, or its end: a failure the peers see as this rank lost
            else:
                data = _receive(key.fileobj)
                who = peers_of[key.fileobj]
                if data.endswith(b"B"):
                    watched.unregister(key.fileobj)
                    heard.pop(who, None)
                    del peers_of[key.fileobj]
                elif data:
                    heard[who] = time.monotonic()
                else:
                    lost = who
    return _lost(rank, world, parent, path, f"rank {lost}", "its connection closed", watched)


def _lost(rank: int, world: int, parent: int, path: str, who: str, how: str, watched=None) -> int:
    """Unless the training process says within GRACE_S that it told the loss itself, say it and
    stop that process."""
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and _alive(parent):
        if watched and any(key.data == "parent" for key, _ in watched.select(timeout=0.1)):
            if sys.stdin.buffer.readline().strip() in (b"told", b"bye"):
                return 1
            break
        time.sleep(0 if watched else 0.1)
    said = f"runner: {peers.message(rank, world, who, how)}; stopping this rank; {peers.advice(path)}"
    print(said, file=sys.stderr, flush=True)
    if _alive(parent):
        os.kill(parent, signal.SIGKILL)  # it may be blocked in a collective, deaf to SIGTERM
    return 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _send(link: socket.socket, data: bytes) -> None:
    try:
        link.sendall(data)
    except OSError:
        pass  # its reader sees the loss


def _receive(link: socket.socket) -> bytes:
    try:
        return link.recv(4096)
    except OSError:
        return b""


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:4]), sys.argv[4], sys.argv[5], int(sys.argv[6])))
