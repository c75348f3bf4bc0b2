"""`runner serve` as users start it, in a child process on a port the system picks: a load of
concurrent clients all answered, each with its own image's class (batching mixes requests); too
large, non-image and malformed requests answered 4xx with a message while good ones go on being
answered; and Ctrl-C stopping it with nothing but its two lines said."""

import http.client
import json
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT
from tests.deploy.conftest import COLOURS, picture

MAX_BYTES = 50_000  # small, so that a body past it is quick to send
CLIENTS, REQUESTS = 16, 1000
BOUNDARY = "runner-test-boundary"


def form(field: str, data: bytes, filename: str | None = "x.png") -> tuple[bytes, str]:
    """A multipart/form-data body holding one field, and its Content-Type."""
    named = f'; filename="{filename}"' if filename else ""
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"{named}\r\n\r\n'.encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}"


class Client:
    """One keep-alive connection, as a client program holds it."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, method: str, path: str, body: bytes | None = None, kind: str | None = None):
        self.connection.request(method, path, body=body, headers={"Content-Type": kind} if kind else {})
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())


@pytest.fixture(scope="module")
def served(models, tmp_path_factory):
    """(port, images by colour, the server process) of `runner serve` on the colour classifier."""
    folder = tmp_path_factory.mktemp("requests")
    images = {c: picture(folder / f"{c}.png", c).read_bytes() for c in COLOURS}
    command = [sys.executable, "-m", "runner", "serve", str(models["classifier"]), "--port", "0"]
    command += ["--max-bytes", str(MAX_BYTES), "--max-batch-size", "16"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([server.stdout], [], [], 60)  # a server that never starts fails, not hangs
    line = server.stdout.readline() if ready else ""  # printed once it listens
    assert " at http://127.0.0.1:" in line, line + server.stderr.read()
    port = int(line.split(" at http://127.0.0.1:")[1].split()[0])
    yield port, images, server
    if server.poll() is None:
        server.kill()
        server.wait()


def test_a_thousand_requests_from_sixteen_clients_each_get_their_own_answer(served):
    port, images, _ = served
    bodies = {colour: form("image", data) for colour, data in images.items()}
    order = [list(COLOURS)[i % 3] for i in range(REQUESTS)]
    local = threading.local()

    def ask(colour):
        local.client = getattr(local, "client", None) or Client(port)
        start = time.perf_counter()
        status, answer = local.client.send("POST", "/predict", *bodies[colour])
        return time.perf_counter() - start, status, answer["predictions"][0]["class"] if status == 200 else answer

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(ask, order))
    wall = time.perf_counter() - start
    assert [(status, top) for _, status, top in results] == [(200, colour) for colour in order]
    latencies = sorted(seconds for seconds, _, _ in results)
    status, health = Client(port).send("GET", "/health")
    print(
        f"\nrunner serve: {REQUESTS} requests from {CLIENTS} clients in {wall:.2f} s = {REQUESTS / wall:.0f} "
        f"requests/s; latency p50 {1000 * latencies[len(latencies) // 2]:.1f} ms, "
        f"p99 {1000 * latencies[int(0.99 * len(latencies))]:.1f} ms; "
        f"{health['images'] / health['batches']:.1f} images per onnxruntime call"
    )
    assert status == 200 and health["images"] >= REQUESTS
    assert health["batches"] < health["images"]  # requests were gathered, not run one by one


def test_client_mistakes_get_a_4xx_with_a_message_and_good_requests_go_on(served):
    port, images, _ = served
    red = form("image", images["red"])
    mistakes = {
        "too large": (413, "larger than the 50000 bytes", form("image", b"\x89PNG" + bytes(MAX_BYTES))),
        "not an image": (415, "not an image Pillow can read", form("image", b"plain text")),
        "cut short": (415, "cannot decode it (", form("image", images["green"][:60])),
        "no image field": (400, "the form has no `image` field (it has ['photo'])", form("photo", images["red"])),
        "text field": (400, "the form's `image` field is text", form("image", b"red", filename=None)),
        "no boundary": (400, "malformed multipart form (", (b"--x\r\n", "multipart/form-data")),
        "bad multipart": (400, "malformed multipart form (", (b"garbage", f"multipart/form-data; boundary={BOUNDARY}")),
        "wrong type": (415, "a body of type text/plain is not an image", (b"hello", "text/plain")),
        "raw image": (200, None, (images["blue"], "image/png")),
    }
    cases = [name for _ in range(8) for name in [*mistakes, "good", "good"]]

    def ask(name):
        status, answer = Client(port).send("POST", "/predict", *(red if name == "good" else mistakes[name][2]))
        return name, status, answer

    with ThreadPoolExecutor(CLIENTS) as pool:
        for name, status, answer in pool.map(ask, cases):
            if name in ("good", "raw image"):
                assert (status, answer["predictions"][0]["class"]) == (200, "red" if name == "good" else "blue")
            else:
                assert status == mistakes[name][0] and mistakes[name][1] in answer["detail"], (name, answer)
    assert Client(port).send("GET", "/health")[0] == 200
    status, contract = Client(port).send("GET", "/metadata")
    assert status == 200 and contract["classes"] == list(COLOURS) and contract["task"] == "classification"


def test_ctrl_c_stops_it_and_nothing_was_logged_for_clients_mistakes(served):
    port, images, server = served
    assert Client(port).send("POST", "/predict", b"junk", "image/jpeg")[0] == 415
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=20)
    assert (server.returncode, out, err) == (0, "stopped\n", "")
