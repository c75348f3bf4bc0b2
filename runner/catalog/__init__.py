"""The closed sets of names a recipe may use: the registry machinery (registry.py), the tasks, and
one registry per kind of component (backbones, models, datasets, augmentations, optimizers, schedules,
and a sweep's samplers and pruners),
each entry declaring its parameters, the backends that have it and the tasks it serves.

May import: the standard library only. Nothing here imports a framework, so validating a recipe
against these names takes a fraction of a second.
"""

from runner.catalog.augmentations import augmentations
from runner.catalog.backbones import backbones
from runner.catalog.datasets import datasets
from runner.catalog.models import models
from runner.catalog.optimizers import optimizers
from runner.catalog.schedules import schedules
from runner.catalog.search import pruners, samplers

REGISTRIES = {
    r.plural: r for r in (backbones, models, datasets, augmentations, optimizers, schedules, samplers, pruners)
}
