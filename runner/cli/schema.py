"""`runner schema --json`: the recipe format as JSON Schema, for editors."""

import json
import sys

from runner.recipe.json_schema import recipe_json_schema

HELP = "Print the recipe format as JSON Schema, for editors."
EXAMPLE = "runner schema --json > recipe.schema.json"


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", required=True, help="JSON Schema (draft 2020-12)")


def handle(args) -> int:
    json.dump(recipe_json_schema(), sys.stdout, indent=2)
    print()
    return 0
