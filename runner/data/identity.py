"""What identifies a run's data in its provenance.json: the dataset's name, where it was read
from, the split, the dataset's own parameters, and for downloaded files the SHA-256 each was
checked against."""

from runner.data.files.sources import SOURCES
from runner.recipe.specs import DataSpec


def identity(data: DataSpec) -> dict:
    """The data as provenance records it (batching and downloading change how it is read, not what)."""
    found = {
        "dataset": data.dataset,
        "root": data.root,
        "mirror": data.mirror,
        "val_fraction": data.val_fraction,
        **data.params,
    }
    source = SOURCES.get(data.dataset)
    if source:
        found["files"] = {f.name: f.sha256 for f in source.files}
    return found
