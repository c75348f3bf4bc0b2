"""Where a run's images come from, with no deep-learning framework: dataset files fetched,
verified and parsed (files/), in-memory arrays, image folders, stand-in images for dry runs, the
order both backends read the training set in, the augmentation pipeline's assembly, annotated images
for detection and segmentation (COCO files, mask folders, generated shapes), and the
per-image augmentation steps in numpy and PIL (steps/).

May import: runner.recipe, runner.catalog, numpy, PIL, pycocotools, albumentations, scikit-learn and the
standard library.
Never runner.run, the backends or a deep-learning framework.
"""
