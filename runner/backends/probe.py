"""The check, shared by both backends, that a backbone takes the recipe's images: two blank images
of each pipeline's output shape go through the network before any training, and a backbone that
cannot take them (it pools them away, or its classifier wants a fixed size) is reported at the
recipe's model.backbone line, with what to change."""

from collections.abc import Callable

from runner.data.padding import padded_side
from runner.recipe.compile import Program
from runner.recipe.errors import RecipeError, RecipeInvalid

FIX = (
    "make the images larger with resize or random_resized_crop in augment.train and augment.eval, or "
    "choose a backbone for small images: simple_cnn, or a resnet with stem: cifar"
)


def probe(program: Program, forward: Callable[[tuple], None], failures: tuple[type[BaseException], ...]) -> None:
    """Call forward(shape) for each distinct (channels, height, width) the pipelines give; raise
    RecipeInvalid at model.backbone's line when it fails with one of `failures`. A pipeline that
    leaves images their own sizes (detection, segmentation) gives no one shape to try."""
    known = [shape for shape in program.input_shapes.values() if None not in shape]
    if program.task.name != "classification":  # their batches are padded to a multiple of 32
        known = [(c, padded_side(h), padded_side(w)) for c, h, w in known]
    for shape in dict.fromkeys(known):
        try:
            forward(shape)
        except failures as e:
            name, size = program.model.backbone, "x".join(map(str, shape))
            raise RecipeInvalid(
                [
                    RecipeError(
                        program.where("model", "backbone"),
                        "model.backbone",
                        f"{name} cannot take {size} images ({gist(e)})",
                        FIX,
                    )
                ]
            ) from None


def gist(e: BaseException) -> str:
    """The first line of an error that says something (Paddle's C++ errors open with a blank line
    and a banner of dashes)."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip() and not line.strip().startswith("-")]
    return lines[0] if lines else type(e).__name__
