"""`task:` decides which networks, data, augmentations and loss keys a recipe may use: each mismatch
is refused at its line, with the fix, every one at once, before anything is imported or read."""

from tests.conftest import ROOT

SEGMENTATION = (ROOT / "recipes/quickstart_segmentation.yaml").read_text()
DETECTION = (ROOT / "recipes/quickstart_detection.yaml").read_text()


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_detection_network_under_segmentation_is_refused_at_its_line(write, cli):
    path = write(SEGMENTATION.replace("arch: tiny_unet", "arch: fasterrcnn_resnet50_fpn"))
    result = cli("validate", path)
    assert result.code == 2
    assert (
        f"{path}:{line_of(SEGMENTATION, 'arch:')}: model.arch: model 'fasterrcnn_resnet50_fpn' does not serve "
        "task segmentation; choose one `runner ls models --task segmentation` lists, or task: detection"
    ) in result.err


def test_mixup_label_smoothing_and_a_classification_dataset_in_detection_are_each_refused(write, cli):
    text = (
        DETECTION.replace("    - name: hflip\n", "    - name: hflip\n    - name: mixup\n", 1)
        .replace("  dataset: shapes\n  image_size: 64\n  train_size: 512\n  val_size: 128\n", "  dataset: digits\n")
        .replace("train:\n  epochs: 12", "train:\n  epochs: 12\n  label_smoothing: 0.1")
    )
    path = write(text)
    result = cli("validate", path)
    assert result.code == 2
    errors = result.err.splitlines()
    assert any(
        f":{line_of(text, 'name: mixup')}: augment.train.1.name: augmentation 'mixup' does not serve task detection"
        in e
        for e in errors
    )
    assert any(
        f":{line_of(text, 'dataset: digits')}: data.dataset: dataset 'digits' does not serve task detection" in e
        for e in errors
    )
    assert any(
        f":{line_of(text, 'label_smoothing')}: train.label_smoothing: label smoothing softens one class per image" in e
        for e in errors
    )


def test_detection_on_paddle_is_refused_at_the_backend_line_with_the_reason(write, cli):
    path = write(DETECTION)
    result = cli("validate", path, "backend=paddle")
    assert result.code == 2
    assert "override backend=paddle: task detection does not run on paddle: paddle has no detector" in result.err
    assert "PaddleDetection 2.6 needs numpy < 2" in result.err and "use backend: lightning" in result.err
    written = write(DETECTION.replace("backend: lightning", "backend: paddle"), "paddle.yaml")
    assert f"{written}:{line_of(DETECTION, 'backend:')}: backend: task detection" in cli("validate", written).err


def test_each_task_names_its_network_with_its_own_key(write, cli):
    segmentation = write(SEGMENTATION.replace("  arch: tiny_unet\n", "  backbone: resnet18\n"), "seg.yaml")
    result = cli("validate", segmentation)
    assert "model.arch: a segmentation recipe names its network with model.arch; set arch: tiny_unet" in result.err
    classification = (ROOT / "recipes/quickstart.yaml").read_text()
    wrong = write(classification.replace("backbone: simple_cnn", "arch: tiny_unet"), "cls.yaml")
    result = cli("validate", wrong)
    assert "model.arch: task classification takes its network from model.backbone" in result.err
    assert "remove arch and set backbone (e.g. backbone: resnet18), or set task: segmentation" in result.err
    bare = write(classification.replace("  backbone: simple_cnn\n", ""), "bare.yaml")
    assert (
        "model.backbone: a classification recipe names its network; set backbone: resnet18" in cli("validate", bare).err
    )


def test_an_encoder_must_fit_its_arch(write, cli):
    path = write(SEGMENTATION.replace("  arch: tiny_unet\n", "  arch: unet\n  backbone: efficientnet-b0\n"))
    assert cli("validate", path).code == 0  # one of segmentation-models-pytorch's encoders
    assert cli("validate", path, "model.backbone=timm/resnet18").code == 0
    fixed = cli("validate", path, "model.arch=deeplabv3_resnet50", "model.backbone=resnet34")
    assert "deeplabv3_resnet50 takes no backbone: its name fixes its backbone; remove model.backbone" in fixed.err
    unknown = cli("validate", path, "model.backbone=resnet1000")
    assert "'resnet1000' is not an encoder segmentation-models-pytorch offers" in unknown.err


def test_nothing_may_follow_normalize_in_a_dense_pipeline(write, cli):
    text = SEGMENTATION.replace("    - name: normalize\n  eval:", "    - name: normalize\n    - name: hflip\n  eval:")
    path = write(text)
    result = cli("validate", path)
    assert result.code == 2
    assert "augment.train.3.name: hflip follows normalize, where segmentation's boxes and masks" in result.err


def test_the_monitor_defaults_to_the_tasks_metric(cli):
    for recipe, metric in (("quickstart_detection", "val_map"), ("quickstart_segmentation", "val_miou")):
        shown = cli("show", ROOT / f"recipes/{recipe}.yaml")
        assert f"    monitor: {metric}\n    mode: max\n" in shown.out
        assert f"best by {metric} (max)" in shown.out
    wrong = cli("validate", ROOT / "recipes/quickstart_detection.yaml", "train.checkpoint.monitor=val_acc")
    assert "val_acc is not a metric of task detection; use one of: train_loss, val_map" in wrong.err


def test_ls_lists_models_by_task(cli):
    detection = cli("ls", "models", "--task", "detection").out
    assert "tiny_detector" in detection and "fasterrcnn_resnet50_fpn" in detection and "tiny_unet" not in detection
    segmentation = cli("ls", "models", "--task", "segmentation").out
    assert "deeplabv3_resnet50" in segmentation and "unet" in segmentation and "retinanet" not in segmentation
    assert "shapes" in cli("ls", "datasets", "--task", "detection").out
    assert "mixup" not in cli("ls", "augmentations", "--task", "segmentation").out
    assert "efficientnet-b0" in cli("ls", "models", "--encoders").out


def test_coco_format_validation_needs_its_images_and_their_annotations(write, cli):
    text = DETECTION.replace(
        "  dataset: shapes\n  image_size: 64\n  train_size: 512\n  val_size: 128\n",
        "  dataset: coco_format\n  train_images: a\n  train_annotations: a.json\n  val_images: b\n",
    )
    path = write(text)
    result = cli("validate", path)
    assert f"{path}:{line_of(text, 'val_images')}: data.val_images: is used only with val_annotations" in result.err
    assert cli("validate", path, "data.val_annotations=b.json").code == 0


def test_a_detection_scores_whole_images(write, cli):
    text = DETECTION.replace(
        "  eval:\n    - name: normalize", "  eval:\n    - name: center_crop\n      size: 48\n    - name: normalize"
    )
    result = cli("validate", write(text))
    assert "augment.eval.0.name: center_crop cuts part of each validation image away" in result.err
    assert "use resize in augment.eval" in result.err
