"""`runner serve MODEL [--host 127.0.0.1] [--port 8000] [--max-batch-size B] [--max-bytes N]`: an
exported model over HTTP (POST /predict, GET /health, GET /metadata) until Ctrl-C. It listens on
127.0.0.1 unless told otherwise: the endpoint has no authentication, so reaching it from other
machines is a choice made with --host 0.0.0.0."""

from runner.cli.arguments import UsageError, exported_model

HELP = "Serve an exported model (.onnx, or a run directory) over HTTP: POST an image to /predict."
EXAMPLE = (
    "runner serve runs/quickstart-20260101-120000/export/model.onnx --port 8000\n"
    "  curl -F image=@photo.jpg 127.0.0.1:8000/predict"
)
MB = 1_000_000


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", help="an .onnx file written by runner export, or a run directory")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0: any free one)")
    parser.add_argument(
        "--max-batch-size", type=int, default=32, help="requests gathered into one onnxruntime call (default 32)"
    )
    parser.add_argument(
        "--max-bytes", type=int, default=10 * MB, help="largest request body taken, in bytes (default 10 MB)"
    )


def handle(args) -> int:
    from runner.deploy import serve  # FastAPI and uvicorn: only when serving

    if args.max_batch_size < 1 or args.max_bytes < 1 or not 0 <= args.port < 65536:
        raise UsageError("--max-batch-size and --max-bytes take 1 or more, --port 0 to 65535")
    model = exported_model(args.model)
    try:
        sock = serve.listen(args.host, args.port)
    except OSError as e:
        raise UsageError(f"cannot listen on {args.host}:{args.port} ({e.strerror or e})") from None
    host, port = sock.getsockname()[:2]
    where = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    contract = model.contract
    print(
        f"serving {model.path} ({contract.task}, {len(contract.classes)} classes) at {where} "
        "(POST /predict, GET /health, GET /metadata); Ctrl-C stops",
        flush=True,
    )
    try:
        serve.run(serve.app(model, args.max_batch_size, args.max_bytes), sock)
    except KeyboardInterrupt:  # uvicorn has already finished the requests in flight
        pass
    print("stopped", flush=True)
    return 0
