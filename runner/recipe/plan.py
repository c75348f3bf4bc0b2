"""The compact plan `runner show` prints: one line per stage, then each derived number and how."""

from runner.catalog.backbones import lookup as lookup_backbone
from runner.catalog.models import models
from runner.recipe.compile import Program
from runner.recipe.search_space import parse


def _pairs(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def _set(params: dict) -> str:
    """The parameters that are set, leaving out empty lists and text."""
    return _pairs({k: v for k, v in params.items() if v not in ([], "")})


def describe(program: Program) -> str:
    data, model, hw, loop, n = program.data, program.model, program.hardware, program.loop, program.numbers
    info = data.info
    shape = "x".join(map(str, info.shape)) if info.shape else "images of any size"
    counted = "one class per subfolder" if data.dataset == "folder" else "classes counted from the annotations"
    classes = f"{model.num_classes} classes" if model.num_classes else counted
    sizes = f"{n.train_size} train / {n.val_size} val images" if n else "sizes counted from the files"
    source = "auto, from the dataset" if model.num_classes_auto else "recipe"
    aug = {
        stage: " -> ".join(f"{s.name}({_set(s.params)})" for s in program.augment.stage(stage)) or "none"
        for stage in ("train", "eval")
    }
    opt = f"{program.optim.name}({_set(program.optim.params)})"
    if not program.optim.decay_norm_and_bias:
        opt += ", no decay on norm and bias"
    schedule = program.schedule
    warm = f" after {n.warmup_steps} warm-up steps" if n and n.warmup_steps else ""
    where = "" if data.dataset == "folder" else f" in {data.root}/"
    inputs = {stage: "x".join(str(d) for d in shape_) for stage, shape_ in program.input_shapes.items()}
    extra = f"({_pairs(data.params)})" if data.params else ""
    if model.arch:
        encoder = f", encoder {model.backbone}" if model.backbone else ""
        network = f"{model.arch} ({models.get(model.arch).doc.rstrip('.')}){encoder}, "
    else:
        network = f"{model.backbone} ({lookup_backbone(model.backbone).doc.rstrip('.')}), stem {model.stem}, "
    task = program.task
    smoothing = f", label smoothing {loop.label_smoothing}" if task.name == "classification" else ""
    lines = [
        "plan",
        f"  task      {task.name}: {task.doc.rstrip('.').lower()}; loss {task.loss}",
        f"  data      {data.dataset}{extra}{where}: {sizes}, "
        f"{shape}, {classes}; batch {data.batch_size}, {data.num_workers} workers",
        f"  augment   train: {aug['train']} => {inputs['train']}",
        f"            eval:  {aug['eval']} => {inputs['eval']}",
        f"  model     {network}{classes} ({source}), {'pretrained' if model.pretrained else 'random init'}",
        f"  optim     {opt}; schedule {schedule.name}({_pairs(schedule.params)}){warm}",
        f"  loop      {loop.epochs} epochs{smoothing}, "
        f"grad clip {loop.grad_clip or 'off'}, best by {loop.monitor} ({loop.mode})",
        f"  hardware  {program.backend} on {hw.accelerator} x {hw.devices} devices x {hw.num_nodes} nodes, "
        f"strategy {hw.strategy}, precision {hw.precision}"
        + "".join(f", {k}" for k in ("deterministic", "compile", "channels_last") if getattr(hw, k)),
    ]
    if n:
        lines += ["derived"] + [f"  {name:<18} {d.value:>9} {d.unit:<26} = {d.how}" for name, d in n.notes.items()]
    return "\n".join(lines)


def describe_sweep(recipe: dict) -> str:
    """The sweep's line: its budget, what it seeks, each param's range, sampler and pruner."""
    sweep = recipe["sweep"]
    ranges = []
    for key, spec in sweep["params"].items():
        dist, _ = parse(spec)
        if dist.kind == "choice":
            ranges.append(f"{key} in [{', '.join(map(str, dist.choices))}]")
        else:
            ranges.append(f"{key} {dist.kind} {dist.low}..{dist.high}{' log' if dist.log else ''}")
    where = sweep["storage"] or f"SQLite in {recipe['log']['dir']}/{recipe['name']}-sweep/"
    return (
        f"sweep\n  {sweep['trials']} trials to {sweep['direction']} {sweep['metric']}: {'; '.join(ranges)}\n"
        f"  {sweep['sampler']['name']} sampler, {sweep['pruner']['name']} pruner; "
        f"study {sweep['study'] or recipe['name']!r} in {where} (runner sweep)"
    )
