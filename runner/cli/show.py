"""`runner show RECIPE [key=value...]`: the resolved recipe and the plan it compiles to."""

from runner.cli.arguments import add_one_recipe_args, one_recipe
from runner.recipe import plan
from runner.recipe.errors import RunFailed
from runner.recipe.stages import compile_file
from runner.recipe.yaml_writer import dump

HELP = "Print the resolved recipe (every default filled) and the plan it compiles to."
EXAMPLE = "runner show recipes/resnet18_cifar10.yaml data.batch_size=128"
add_arguments = add_one_recipe_args


def handle(args) -> int:
    recipe, program = compile_file(*one_recipe(args, "show"))
    print(f"# {recipe.path}, resolved" + (f" with {' '.join(recipe.overrides)}" if recipe.overrides else ""))
    print(dump(recipe.data))
    if program.numbers is None:  # your own files: count them if they are here
        from runner.data import dense, imagefiles

        try:
            if program.task.name == "classification":
                program = imagefiles.split(program, fetch=False)[1]
            else:  # reads the annotations and masks: a bad one is reported as a run would
                program = dense.split(program)[1]
        except RunFailed as e:
            print(f"# not counted yet: {e}")
    print(plan.describe(program))
    if "sweep" in recipe.data:
        print(plan.describe_sweep(recipe.data))
    return 0
