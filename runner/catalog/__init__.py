"""The closed sets of names a recipe may use. Importing these modules imports no framework."""

from runner.catalog.augmentations import augmentations
from runner.catalog.backbones import backbones
from runner.catalog.datasets import datasets
from runner.catalog.optimizers import optimizers
from runner.catalog.schedules import schedules

REGISTRIES = {r.plural: r for r in (backbones, datasets, augmentations, optimizers, schedules)}
