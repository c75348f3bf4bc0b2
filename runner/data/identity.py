"""What identifies a run's data in its provenance.json: the dataset's name and parameters, and
for downloaded files the SHA-256 each was checked against."""

from runner.data.files.sources import SOURCES

# data keys that change how the data is read, not which data it is
NOT_IDENTITY = ("batch_size", "num_workers", "download")


def identity(data: dict) -> dict:
    """The recipe's data section as provenance records it."""
    found = {k: v for k, v in data.items() if k not in NOT_IDENTITY}
    source = SOURCES.get(data["dataset"])
    if source:
        found["files"] = {f.name: f.sha256 for f in source.files}
    return found
