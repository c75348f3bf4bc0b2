"""Rules on the data section: addresses and checksums in their forms, a split to validate on, and
folder paths (the data's and log.dir) short enough for the system to open."""

import os

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


# Linux's limits, in bytes of the file-system encoding: one file or folder name (NAME_MAX), and a
# whole path without its closing NUL (PATH_MAX - 1). Beyond them the system refuses the path.
NAME_MAX, PATH_MAX = 255, 4095
PATHS = (("data", "root"), ("data", "train_dir"), ("data", "val_dir"), ("log", "dir"))


@check
def paths_fit_the_file_system(r):
    """A folder the recipe names must be a path the system can open: neither the whole path nor
    any name in it longer than Linux allows."""
    for section, key in PATHS:
        value = r[section].get(key) or ""  # train_dir and val_dir are the folder dataset's only
        size = len(os.fsencode(value))
        long_name = next((n for n in value.split("/") if len(os.fsencode(n)) > NAME_MAX), None)
        if size > PATH_MAX:
            yield (
                (section, key),
                f"the path is {size:,} bytes long, more than the {PATH_MAX:,} a path may have",
                "shorten it",
            )
        elif long_name is not None:
            yield (
                (section, key),
                f"the name {long_name[:24]}... in it is {len(os.fsencode(long_name)):,} bytes long, "
                f"more than the {NAME_MAX} a file or folder name may have",
                "shorten that name",
            )


@check
def coco_validation_comes_in_pairs(r):
    """coco_format validates on a folder of images with its annotation file: both, or neither."""
    data = r["data"]
    if data["dataset"] != "coco_format" or bool(data["val_images"]) == bool(data["val_annotations"]):
        return
    given, missing = ("val_images", "val_annotations") if data["val_images"] else ("val_annotations", "val_images")
    yield ("data", given), f"is used only with {missing}", f"add {missing}, or remove {given} to hold out val_fraction"
