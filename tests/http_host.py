"""An HTTP server on 127.0.0.1 for download tests: serves bytes by path, and misbehaves the ways
real hosts do (drops the connection mid-file, stalls, ignores Range, sends an HTML page)."""

import http.server
import re
import threading
import time
from dataclasses import dataclass


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    ranges: bool = True  # answer `Range: bytes=N-` with 206 and the rest of the body
    cut_after: int | None = None  # send only this many body bytes of a response, then stop
    cuts: int = 10**9  # how many responses are cut short; later ones are whole
    stall: float = 0.0  # seconds to stay silent (holding the connection) when cutting short
    silent: float = 0.0  # seconds to stay silent before answering at all
    misplaced: bool = False  # answer a Range request with 206 but from byte 0


class Host:
    """host.serve({'name': bytes | Route}) -> base URL; host.requests lists (path, Range header)."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.servers = []

    def serve(self, routes: dict) -> str:
        self.routes.update({k: v if isinstance(v, Route) else Route(v) for k, v in routes.items()})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def _handler(self):
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path, wanted = self.path.lstrip("/"), self.headers.get("Range")
                host.requests.append((path, wanted))
                route = host.routes.get(path)
                if route is None:
                    self.send_error(404, "File not found")
                    return
                time.sleep(route.silent)
                start = int(re.match(r"bytes=(\d+)-", wanted).group(1)) if wanted and route.ranges else 0
                if start and start >= len(route.body):
                    self.send_error(416, "Range Not Satisfiable")
                    return
                if route.misplaced:
                    start, wanted = 0, None
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes 0-{len(route.body) - 1}/{len(route.body)}")
                body = route.body[start:]
                if not route.misplaced:
                    self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(route.body) - 1}/{len(route.body)}")
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if route.cut_after is not None and route.cuts > 0:
                    route.cuts -= 1
                    self.wfile.write(body[: route.cut_after])
                    self.wfile.flush()
                    time.sleep(route.stall)
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler
