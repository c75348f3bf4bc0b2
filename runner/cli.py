"""The `runner` command line: parse arguments, run one command, turn recipe errors into messages.

A mistake in a recipe, an override or a path is printed as `file:line: key.path: problem; fix`
and exits with status 2; a user never sees a traceback for it.
"""
import argparse
import sys

from runner import __version__, commands
from runner.errors import RecipeInvalid, RunFailed

TRUST = ("load checkpoints this run did not record in checkpoints/hashes.json (copied in, or "
         "changed since); Paddle checkpoints are pickles, so only for files you trust")
EXAMPLES = {
    "validate": "runner validate recipes/quickstart.yaml my.yaml train.epochs=5",
    "show": "runner show recipes/resnet18_cifar10.yaml data.batch_size=128",
    "run": "runner run recipes/quickstart.yaml train.epochs=5 seed=1",
    "resume": "runner resume runs/quickstart-20260101-120000",
    "eval": "runner eval runs/quickstart-20260101-120000 --split val",
    "download": "runner download cifar10 mnist\n  runner download --list\n"
                "  runner download folder --url https://example.org/photos.tar.gz --sha256 HEX --root data",
    "ls": "runner ls            # shipped recipes\n  runner ls backbones  # or datasets, augmentations, optimizers, schedules",
    "cp": "runner cp resnet18_cifar10 my.yaml",
    "schema": "runner schema --json > recipe.schema.json",
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
    overrides = "RECIPE files, then key.path=value overrides (values typed by the schema)"

    def command(name, help_text):
        return sub.add_parser(name, help=help_text, description=help_text,
                              epilog=f"example:\n  {EXAMPLES[name]}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("validate", "Check recipes against the schema and rules; print OK or every mistake.")
    p.add_argument("args", nargs="+", metavar="RECIPE|key=value", help=overrides)
    p = command("show", "Print the resolved recipe (every default filled) and the plan it compiles to.")
    p.add_argument("args", nargs="+", metavar="RECIPE|key=value", help=overrides)
    p = command("run", "Validate, compile and train a recipe, writing a run directory.")
    p.add_argument("args", nargs="+", metavar="RECIPE|key=value", help=overrides)
    p.add_argument("--dry-run", action="store_true",
                   help="build every component and run one training and one validation step on "
                        "synthetic data of the recipe's shape, then stop")
    p = command("resume", "Continue an interrupted run in its directory from checkpoints/last.ckpt.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="the directory `runner run` printed")
    p.add_argument("--trust", action="store_true", help=TRUST)
    p = command("eval", "Score a run's best checkpoint (or CKPT): top-1/top-5, per-class accuracy, "
                        "confusion matrix; printed and written to RUN_DIR/eval/.")
    p.add_argument("target", metavar="RUN_DIR|CKPT", help="a run directory, or a checkpoint inside one")
    p.add_argument("--split", choices=["val", "test"], default="val",
                   help="val: the run's validation images (default); test: the dataset's test split")
    p.add_argument("--trust", action="store_true", help=TRUST)
    p = command("download", "Fetch datasets ahead of a run, verified by size and SHA-256; --list shows "
                            "what is present. RUNNER_OFFLINE=1 forbids any download.")
    p.add_argument("names", nargs="*", metavar="NAME", help="datasets, as `runner ls datasets` names them")
    p.add_argument("--root", help="the folder recipes call data.root (default: $RUNNER_DATA, "
                                  "else ~/.cache/runner/datasets)")
    p.add_argument("--mirror", help="base URL to fetch from instead of the official host "
                                    "(default: $RUNNER_DATASET_MIRROR if set)")
    p.add_argument("--url", help="with `folder`: a tar or zip archive of image folders to fetch and extract")
    p.add_argument("--sha256", help="with --url: the archive's SHA-256; it is kept only if it matches")
    p.add_argument("--list", action="store_true", help="show each dataset, its size and whether it is present and verified")
    p = command("ls", "List shipped recipes, or the names a registry offers on each backend.")
    p.add_argument("what", nargs="?", default="recipes",
                   choices=["recipes", "backbones", "datasets", "augmentations", "optimizers", "schedules"])
    p.add_argument("--timm", action="store_true", help="with backbones: list every timm/<name> as well")
    p = command("cp", "Copy a shipped recipe to edit; refuses to overwrite without --force.")
    p.add_argument("name", help="shipped recipe name, as `runner ls` prints it")
    p.add_argument("dest", help="file or directory to copy to")
    p.add_argument("--force", action="store_true", help="overwrite DEST if it exists")
    p = command("schema", "Print the recipe format as JSON Schema, for editors.")
    p.add_argument("--json", action="store_true", required=True, help="JSON Schema (draft 2020-12)")
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
        return commands.COMMANDS[args.command](args)
    except RecipeInvalid as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        return 2
    except RunFailed as e:
        print(f"runner {args.command}: {e}", file=sys.stderr)
        return 1
    except commands.UsageError as e:
        print(f"runner {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
