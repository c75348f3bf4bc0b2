"""A run's dataset made present before any deep-learning framework is imported: fetched and
verified when allowed, else a failure within a second naming the files to place and where.

The backends read the same verified files afterwards (runner.data.arrays, runner.data.imagefiles); this
step only moves the wait for a download, and any failure, to before the seconds spent loading
torch or paddle and building the model.
"""

from runner.recipe.environment import mirror
from runner.recipe.specs import DataSpec


def acquire(data: DataSpec) -> None:
    if data.dataset in ("folder", "imagenet"):
        from runner.data import imagefiles

        train, val = imagefiles.folders(data)  # fetches data.url, or says where ImageNet goes
        imagefiles.must_be_folder(*train)
        if val and data.val_fraction == 0:  # a held-out fraction leaves val_dir unread
            imagefiles.must_be_folder(*val)
    else:
        from runner.data.files import SOURCES, prepare

        if data.dataset in SOURCES:
            prepare(SOURCES[data.dataset], data.root, data.download, mirror(data.mirror))
