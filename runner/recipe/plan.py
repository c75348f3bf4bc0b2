"""The compact plan `runner show` prints: one line per stage, then each derived number and how."""

from runner.catalog.backbones import lookup as lookup_backbone
from runner.recipe.compile import Program
from runner.recipe.facts import dataset_params, input_shape, schedule_params


def _pairs(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def _params(step: dict, skip=("name",)) -> str:
    inner = ", ".join(f"{k}={v}" for k, v in step.items() if k not in skip and v not in ([], ""))
    return f"{step['name']}({inner})"


def describe(program: Program) -> str:
    r, info, n = program.recipe, program.dataset, program.numbers
    data, model, hw = r["data"], r["model"], r["hardware"]
    shape = "x".join(map(str, info.shape)) if info.shape else "images of any size"
    classes = f"{program.num_classes} classes" if program.num_classes else "one class per subfolder"
    sizes = f"{n.train_size} train / {n.val_size} val images" if n else "sizes counted from the files"
    extra = ", ".join(f"{k}={v}" for k, v in dataset_params(r).items())
    source = "auto, from the dataset" if model["num_classes"] == "auto" else "recipe"
    aug = {s: " -> ".join(_params(step) for step in r["augment"][s]) or "none" for s in ("train", "eval")}
    optim = r["optim"]
    opt = _params(optim, skip=("name", "decay_norm_and_bias"))
    if not optim["decay_norm_and_bias"]:
        opt += ", no decay on norm and bias"
    sched = r["schedule"]
    warm = f" after {n.warmup_steps} warm-up steps" if n and n.warmup_steps else ""
    where = "" if data["dataset"] == "folder" else f" in {data['root']}/"
    inputs = {s: "x".join(str(d) for d in input_shape(r, info, s)) for s in ("train", "eval")}
    lines = [
        "plan",
        f"  data      {data['dataset']}{f'({extra})' if extra else ''}{where}: {sizes}, "
        f"{shape}, {classes}; batch {data['batch_size']}, {data['num_workers']} workers",
        f"  augment   train: {aug['train']} => {inputs['train']}",
        f"            eval:  {aug['eval']} => {inputs['eval']}",
        f"  model     {model['backbone']} ({lookup_backbone(model['backbone']).doc.rstrip('.')}), "
        f"stem {model['stem']}, {classes} ({source}), "
        f"{'pretrained' if model['pretrained'] else 'random init'}",
        f"  optim     {opt}; schedule {sched['name']}({_pairs(schedule_params(r))}){warm}",
        f"  loop      {r['train']['epochs']} epochs, label smoothing {r['train']['label_smoothing']}, "
        f"grad clip {r['train']['grad_clip'] or 'off'}, best by {r['train']['checkpoint']['monitor']} "
        f"({r['train']['checkpoint']['mode']})",
        f"  hardware  {r['backend']} on {hw['accelerator']} x {hw['devices']} devices x {hw['num_nodes']} nodes, "
        f"strategy {hw['strategy']}, precision {hw['precision']}"
        + "".join(f", {k}" for k in ("deterministic", "compile", "channels_last") if hw[k]),
    ]
    if n:
        lines += ["derived"] + [f"  {name:<18} {d.value:>9} {d.unit:<26} = {d.how}" for name, d in n.notes.items()]
    return "\n".join(lines)
