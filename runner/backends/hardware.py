"""Whether this machine has the hardware a recipe asks for, checked by each backend with its own
count of GPUs before the run directory is made (so a run that cannot start leaves nothing behind).
`runner validate` stays framework-free and cannot count them."""

from runner.recipe.errors import RunFailed
from runner.recipe.specs import HardwareSpec


def check(hw: HardwareSpec, gpus: int, counted_by: str) -> None:
    """Raise RunFailed, saying what is there, when `hw` needs more GPUs than the `gpus` that
    `counted_by` (the framework) sees."""
    if hw.accelerator == "gpu" and gpus == 0:
        raise RunFailed(
            f"hardware.accelerator: gpu asks for a GPU, and {counted_by} sees none on this machine; "
            "set hardware.accelerator: cpu (or auto, which uses a GPU when there is one)"
        )
    on_gpu = hw.accelerator == "gpu" or (hw.accelerator == "auto" and gpus > 0)
    if on_gpu and isinstance(hw.devices, int) and hw.devices > gpus:
        raise RunFailed(
            f"hardware.devices: {hw.devices} asks for {hw.devices} GPUs, and {counted_by} sees {gpus} "
            f"on this machine; set hardware.devices: {gpus} (or auto, every GPU there is)"
        )
