"""The `runner` command line: one module per verb (validate, show, run, resume, launch, eval, report,
runs, sweep, export, predict, serve, download, ls, cp, schema), each holding its parser, its help with an
example, and its handler; `main` here parses the arguments, runs one verb and turns errors into
messages and exit statuses. A mistake in a recipe, an override or a path is printed as
`file:line: key.path: problem; fix` and exits with status 2; a user never sees a traceback for it.

May import every other package; deep-learning frameworks only through runner.backends, and only
once a verb needs one.
"""

import argparse
import sys

from runner import __version__
from runner.cli import (
    cp,
    download,
    evaluate,
    export,
    launch,
    ls,
    predict,
    report,
    resume,
    run,
    runs,
    schema,
    serve,
    show,
    sweep,
    validate,
)
from runner.cli.arguments import UsageError
from runner.recipe.errors import RecipeInvalid, RunFailed

# Verb -> its module: HELP, EXAMPLE, add_arguments(parser) and handle(args) -> exit status.
VERBS = {
    "validate": validate,
    "show": show,
    "run": run,
    "resume": resume,
    "launch": launch,
    "eval": evaluate,
    "report": report,
    "export": export,
    "runs": runs,
    "sweep": sweep,
    "predict": predict,
    "serve": serve,
    "download": download,
    "ls": ls,
    "cp": cp,
    "schema": schema,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runner",
        description="Train image classifiers from one YAML recipe, on PyTorch Lightning or PaddlePaddle.",
        epilog="examples:\n  runner ls\n  runner cp quickstart my.yaml\n  runner validate my.yaml\n"
        "  runner run my.yaml train.epochs=5",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"runner {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, verb in VERBS.items():
        command = sub.add_parser(
            name,
            help=verb.HELP,
            description=verb.HELP,
            epilog=f"example:\n  {verb.EXAMPLE}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        verb.add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Options may stand between a recipe and its overrides (run r.yaml --dry-run seed=1), so
    # words argparse leaves over join the recipe's arguments; anything else is a usage error.
    args, extra = parser.parse_known_args(argv)
    if extra and hasattr(args, "args") and all("=" in word for word in extra):
        args.args += extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return VERBS[args.command].handle(args)
    except RecipeInvalid as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        return 2
    except RunFailed as e:
        print(f"runner {args.command}: {e}", file=sys.stderr)
        return 1
    except UsageError as e:
        print(f"runner {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
