"""`runner export`: a run's network written as ONNX (or the framework's own inference format),
with its contract, checked against the framework on the run's validation images before it is
called done, and a few of those images beside it to try `runner predict` on. The export folder
appears whole or not at all: it is built under a temporary name and renamed into place only once
the check has passed."""

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from runner import __version__, backends
from runner.deploy import contract as contracts
from runner.deploy.images import validation_images
from runner.deploy.preprocess import Preprocess
from runner.deploy.verify import compare
from runner.recipe.errors import RunFailed
from runner.recipe.stages import compile_file
from runner.run import atomic, checkpoint_choice, checkpoint_hashes, layout

FOLDERS, MANIFEST, MODEL = layout.EXPORTS, layout.EXPORT_MANIFEST, layout.EXPORT_MODEL
CHECKED = 32  # validation images each export is checked on
SAMPLES = 8  # of those, written to samples/ as PNG files


def export(
    run_dir: Path,
    which: str = "best",
    fmt: str = "onnx",
    opset: int = contracts.OPSET,
    out: Path | None = None,
    trust: bool = False,
) -> Path:
    """Export `run_dir`'s `which` checkpoint ("best", "last" or a path inside the run); the folder
    written. RunFailed when the exported model does not match the framework's."""
    run_dir = Path(run_dir)
    program = compile_file(str(run_dir / layout.RESOLVED))[1]
    out = Path(out).resolve() if out else run_dir / FOLDERS[fmt]  # `--out .` and `..` have names to rename
    _refuse_foreign(out)
    one = program.task.name in contracts.ONE_IMAGE
    if one and fmt == "native":
        raise RunFailed(f"{program.task.name} networks export to ONNX only (--format onnx)")
    checkpoint, why = _checkpoint(run_dir, which, program.loop.monitor)
    print(f"exporting {checkpoint} ({why}) as {fmt}")
    inference = backends.load_for_inference(run_dir, checkpoint, trust=trust, program=program)
    try:
        contract = contracts.of_program(
            inference.program,
            inference.classes,
            run_dir.resolve().name,
            layout.recorded_name(checkpoint),
            checkpoint_hashes.sha256(checkpoint),
        )
    except ValueError as e:
        raise RunFailed(f"cannot export {run_dir}: {e}") from None
    held = validation_images(inference.program, CHECKED)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        preprocess = Preprocess(contract)
        inputs = [preprocess(image) for image in held.images]
        files, run = _write(inference, contract, fmt, partial, _example(inputs), opset, contract.shape[1] is None, one)
        checks = _verify(inference, preprocess, held, inputs, run, out)
        sampled = _write_samples(partial / "samples", held, contract)
        manifest = {
            "format": fmt,
            "files": {name: checkpoint_hashes.sha256(partial / name) for name in files},
            "opset": opset if fmt == "onnx" else None,
            "contract": json.loads(json.dumps(contract.__dict__)),
            **checks,
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "runner": __version__,
        }
        atomic.write_text(partial / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        _replace(out, partial)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    print(f"wrote {out}/ ({', '.join([*files, MANIFEST, *(['samples/'] if sampled else [])])})")
    return out


def _verify(inference, preprocess: Preprocess, held, inputs: list, run, out: Path) -> dict:
    """The export's answers against the framework's: first the network alone, on the very inputs
    the framework's network took; then the whole path `runner predict` takes, from the image
    through the framework-free preprocessing. RunFailed saying which of the two differs."""
    task = inference.program.task.name
    one = task in contracts.ONE_IMAGE
    framework_inputs = [_framework_input(inference, preprocess, image) for image in held.images]
    reference = in_groups(lambda batch: [_plain(a) for a in inference.predict(batch)], framework_inputs, one)
    same_inputs = _prepared_by_framework(inference, framework_inputs, one)
    network = compare(reference, in_groups(run, same_inputs, one), task, held.source)
    check = compare(reference, in_groups(run, inputs, one), task, held.source)
    print(check.line())
    if not network.passed:
        raise RunFailed(f"{network.failure()}; nothing was written to {out}")
    if not check.passed:
        raise RunFailed(
            f"the exported network matches the framework's on the same inputs (max |diff| "
            f"{network.max_abs_diff:.2e}), but the framework-free preprocessing does not reproduce the "
            f"recipe's eval pipeline: {check.failure()}; nothing was written to {out}"
        )
    return {"check": check.figures(), "network_check": network.figures()}


def _write(inference, contract, fmt: str, partial: Path, example, opset: int, free: bool, one: bool):
    """Export into `partial`: the files written, and run(batch) -> the export's answer per image.
    An exporter's failure (an operator it cannot convert, an opset it does not write) is a message."""
    from runner.deploy.onnx_file import finish
    from runner.deploy.session import Model

    try:
        if fmt == "onnx":
            backends.export_onnx(inference, partial / MODEL, example, opset, free)
            finish(partial / MODEL, contract)
        else:
            path = backends.export_native(inference, partial, example, free)
    except Exception as e:  # the exporters' own error classes, for all that a network can hold
        line = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
        raise RunFailed(f"the {contract.backend} {fmt} exporter failed ({line}); nothing was written") from None
    if fmt == "onnx":
        model = Model(partial / MODEL)
        if one:  # a detector's (boxes, labels, scores) per image
            return [MODEL], lambda batch: list(zip(*model.run(batch)))
        return [MODEL], lambda batch: list(model.run(batch)[0])
    files = sorted(p.name for p in partial.iterdir())
    return files, lambda batch: list(backends.run_native(inference.program, path, batch))


def exported(run_dir: Path, trust: bool = False) -> Path:
    """The ONNX file of `run_dir`'s export from the checkpoint `runner eval` would score: the one
    in its export folder when that checkpoint's is, else exported now."""
    run_dir = Path(run_dir)
    program = compile_file(str(run_dir / layout.RESOLVED))[1]
    checkpoint = checkpoint_choice.for_scoring(run_dir, program.loop.monitor)[0]
    folder = run_dir / FOLDERS["onnx"]
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        made_from = manifest["contract"]["checkpoint_sha256"]
        current = manifest["check"]["passed"] and (folder / MODEL).is_file()
    except (OSError, ValueError, KeyError, TypeError):
        current = False
    if current and made_from == checkpoint_hashes.sha256(checkpoint):
        return folder / MODEL
    return export(run_dir, trust=trust) / MODEL


def in_groups(run, images: list, one: bool = False) -> list:
    """run(batch) -> per-image answers, called on the images grouped by shape (a batch holds one
    size), or on each image alone with `one`; the answers in the images' order."""
    answers, groups = [None] * len(images), {}
    for i, image in enumerate(images):
        groups.setdefault(i if one else image.shape, []).append(i)
    for indices in groups.values():
        for i, answer in zip(indices, run(np.stack([images[i] for i in indices]))):
            answers[i] = answer
    return answers


def _prepared_by_framework(inference, images: list, one: bool) -> list:
    """The float inputs the framework's eval pipeline hands its network, as numpy."""
    return in_groups(lambda batch: list(inference.prepared(batch).cpu().numpy()), images, one)


def _plain(answer):
    """A framework's answer for one image as the exported model gives it: a detector's Detected as
    (boxes, labels, scores); an array as it is."""
    return (answer.boxes, answer.labels, answer.scores) if hasattr(answer, "boxes") else answer


def _framework_input(inference, preprocess: Preprocess, image: np.ndarray) -> np.ndarray:
    """The image as the framework's eval pipeline takes it: a classifier's through the backend's
    own per-image steps (file-backed data) or none (in-memory data, whose steps run on batches);
    a detector's or segmenter's through the per-image steps both backends share."""
    if inference.program.task.name != "classification":
        return preprocess.stepped(image)
    return inference.sample_steps(image) if inference.sample_steps is not None else image


def _example(inputs: list) -> np.ndarray:
    """Two prepared inputs of one shape: a traced batch of two shows the batch dimension varies."""
    first = inputs[0]
    same = [x for x in inputs if x.shape == first.shape][:2]  # a detector's export takes the first alone
    return np.stack(same if len(same) == 2 else [first, first])


def _checkpoint(run_dir: Path, which: str, monitor: str) -> tuple[Path, str]:
    if which == "best":
        return checkpoint_choice.for_scoring(run_dir, monitor)
    if which == "last":
        for name in layout.LAST.values():
            if (layout.checkpoints(run_dir) / name).is_file():
                return checkpoint_choice.inside(run_dir, layout.checkpoints(run_dir) / name), "the newest"
        raise RunFailed(f"{run_dir} has no last checkpoint in {layout.CHECKPOINTS}/")
    path = Path(which)
    if not path.is_file():
        raise RunFailed(f"{path} is not a file; --checkpoint takes best, last or a checkpoint of this run")
    return checkpoint_choice.inside(run_dir, path), "the checkpoint named"


def _refuse_foreign(out: Path) -> None:
    """An existing --out folder is replaced only when it holds an earlier export."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise RunFailed(f"{out} exists and is not an earlier export (it has no {MANIFEST}); name another --out")


def _replace(out: Path, partial: Path) -> None:
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    os.replace(partial, out)
    shutil.rmtree(old, ignore_errors=True)


def _write_samples(folder: Path, held, contract) -> bool:
    """A few of the validation images, as PNG files named by their class, to try predict on;
    whether there were any (stand-in images are none)."""
    if held.stand_in:
        return False
    from PIL import Image

    folder.mkdir()
    for i, (image, label) in enumerate(list(zip(held.images, held.labels))[:SAMPLES]):
        name = f"{i:02d}-{contract.classes[label]}" if label is not None else f"{i:02d}"
        pixels = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
        Image.fromarray(np.ascontiguousarray(pixels)).save(folder / f"{_safe(name)}.png")
    return True


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
