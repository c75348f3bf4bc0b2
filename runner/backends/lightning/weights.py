"""torchvision's published weights for a model, fetched into torch.hub's cache, or a message on
where to place them when the machine is offline."""

from pathlib import Path

from runner.recipe.environment import OFFLINE_ENV, offline
from runner.recipe.errors import RunFailed


def pretrained_state(name: str) -> dict:
    """The state dict of torchvision model `name`'s default weights."""
    import torch.hub
    import torchvision

    weights = torchvision.models.get_model_weights(name).DEFAULT
    file = weights.url.rsplit("/", 1)[-1]
    try:
        if offline() and not (Path(torch.hub.get_dir()) / "checkpoints" / file).is_file():
            raise OSError(f"{OFFLINE_ENV} is set and they are not in the cache")
        return weights.get_state_dict(progress=False)
    except OSError as e:  # URLError included: offline, firewalled, or the host is down
        raise RunFailed(
            f"model.pretrained: the {name} weights could not be fetched ({e}); download "
            f"{weights.url} and place {file} in {torch.hub.get_dir()}/checkpoints/, "
            "or set model.pretrained: false"
        ) from None
