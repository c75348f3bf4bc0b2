"""An exported model over HTTP, FastAPI on uvicorn: POST /predict takes one image (a multipart
form's `image` file, as `curl -F image=@photo.jpg` sends it, or the bare bytes with an image
Content-Type) and answers its ranked classes as JSON; GET /health and GET /metadata (the
contract). Requests are decoded in worker threads and batched (batching.py). A client's mistake
is a 4xx answer with a message, never a traceback in the log: too large 413, not an image 415,
a malformed form 400."""

import asyncio
import logging
import socket
from contextlib import asynccontextmanager
from dataclasses import asdict

from fastapi import FastAPI, HTTPException, Query, Request
from starlette import exceptions
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect

from runner.deploy.answers import TASKS, ranked
from runner.deploy.batching import Batcher
from runner.deploy.preprocess import NotAnImage
from runner.deploy.session import Model, ModelError

HOW = (
    "send the image as the form field `image` (curl -F image=@photo.jpg URL/predict), "
    "or as the body with an image/* Content-Type"
)
RAW = ("application/octet-stream",)  # besides image/*: what a client that knows no better calls bytes


def app(model: Model, max_batch_size: int, max_bytes: int) -> FastAPI:
    batcher = Batcher(model.run, max_batch_size)
    admitted = asyncio.Semaphore(2 * max_batch_size)
    contract = model.contract

    @asynccontextmanager
    async def lifespan(_):
        worker = asyncio.create_task(batcher.work())
        yield
        worker.cancel()
        batcher.close()

    api = FastAPI(title=f"runner: {contract.recipe}", lifespan=lifespan, docs_url=None, redoc_url=None)

    @api.get("/health")
    async def health():
        return {"status": "ok", "batches": batcher.batches, "images": batcher.inputs}

    @api.get("/metadata")
    async def metadata():
        return asdict(contract)

    @api.post("/predict")
    async def predict(request: Request, top_k: int = Query(5, ge=1, description="classes to answer, best first")):
        data = await image_bytes(request, max_bytes)
        async with admitted:  # decoded images held at once: a few batches' worth, whatever the load
            try:
                x, scale = await asyncio.to_thread(model.prepare, data)
            except NotAnImage as e:
                raise HTTPException(415, str(e)) from None
            try:
                outputs = await batcher(x)
            except ModelError as e:
                raise HTTPException(500, str(e)) from None
        (answer,) = TASKS[contract.task].answer([o[None] for o in outputs], contract.classes, top_k)
        return {"predictions": ranked(answer.in_image(scale), contract.task)}

    return api


async def image_bytes(request: Request, max_bytes: int) -> bytes:
    """The image a request carries; HTTPException for one too large, of the wrong kind or malformed."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = kind == "multipart/form-data"
    if not (form or kind.startswith("image/") or kind in RAW):
        raise HTTPException(415, f"a body of type {kind or 'none'} is not an image; {HOW}")
    body = await bounded(request, max_bytes)
    if not form:
        return body

    async def replay():  # the body already read, for Starlette's form parser
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        fields = await Request(request.scope, replay).form(max_files=1, max_fields=8)
    except (MultiPartException, exceptions.HTTPException) as e:  # Starlette wraps the first in the second in an app
        reason = getattr(e, "message", None) or getattr(e, "detail", "")
        raise HTTPException(400, f"malformed multipart form ({reason}); {HOW}") from None
    try:
        image = fields.get("image")
        if image is None:
            raise HTTPException(400, f"the form has no `image` field (it has {sorted(fields) or 'none'}); {HOW}")
        if isinstance(image, str):
            raise HTTPException(400, "the form's `image` field is text, not a file; curl -F image=@photo.jpg sends one")
        return await image.read()
    finally:
        await fields.close()


async def bounded(request: Request, max_bytes: int) -> bytes:
    """The request's body, refused (413) past max_bytes before more of it is read."""
    too_large = HTTPException(413, f"the request is larger than the {max_bytes} bytes this server takes (--max-bytes)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise HTTPException(400, "the client went away before sending the whole body") from None
    return b"".join(chunks)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: one the system picks); OSError when it is taken or
    the host is unknown."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = found[0]
    # proto is IPPROTO_TCP here, unlike socket.create_server's 0: asyncio turns Nagle's algorithm off
    # (TCP_NODELAY) only on sockets that say they are TCP, and with it on, each answer's head and body
    # wait out the client's delayed acknowledgement, 40 ms a request.
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def run(api: FastAPI, sock: socket.socket) -> None:
    """Serve until Ctrl-C (uvicorn stops gracefully, then re-raises it as KeyboardInterrupt)."""
    import uvicorn

    # python-multipart logs each malformed body it meets as a warning; the client hears why (400), so
    # the server's log need not.
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    # warning: uvicorn's start-up lines and access log stay quiet; the command prints where it listens.
    config = uvicorn.Config(api, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
