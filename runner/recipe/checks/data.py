"""Rules on the data section: addresses and checksums in their forms, and a split to validate on."""

from runner.recipe.checks.rule import check
from runner.recipe.facts import dataset_info
from runner.recipe.urls import ARCHIVE_URL, MIRROR_URL, SHA256


@check
def mirror_is_a_url(r):
    """A mirror stands in for the official hosts: an http(s) base URL."""
    mirror = r["data"]["mirror"]
    if mirror and not MIRROR_URL.fullmatch(mirror):
        yield (
            ("data", "mirror"),
            f"{mirror!r} is not an http:// or https:// base URL",
            "give the mirror's address, e.g. https://mirror.example.org/datasets/",
        )


@check
def archive_is_pinned(r):
    """A folder archive is fetched over http(s) and kept only if it matches the SHA-256 given."""
    data = r["data"]
    if data["dataset"] != "folder":
        return
    url, sha256 = data["url"], data["sha256"]
    if url and not ARCHIVE_URL.fullmatch(url):
        yield (
            ("data", "url"),
            f"{url!r} is not an http:// or https:// URL",
            "give the archive's full address, e.g. https://example.org/photos.tar.gz",
        )
    if url and not sha256:
        yield (
            ("data", "url"),
            "an archive is fetched only with its sha256",
            "add sha256: <64 hex digits> beside url (`sha256sum FILE` prints it)",
        )
    if sha256 and not SHA256.fullmatch(sha256):
        yield (
            ("data", "sha256"),
            f"{sha256!r} is not a SHA-256 (64 hex digits)",
            "copy the first word `sha256sum FILE` prints",
        )
    if sha256 and not url:
        yield ("data", "sha256"), "is used only with url", "add the archive's url, or remove sha256"


@check
def validation_split_exists(r):
    """A dataset without a test split needs part of the training set held out."""
    info = dataset_info(r)
    if not info.has_test_split and r["data"]["val_fraction"] == 0:
        yield (
            ("data", "val_fraction"),
            f"{r['data']['dataset']} has no test split to validate on",
            "hold out part of the training set, e.g. val_fraction: 0.2",
        )
