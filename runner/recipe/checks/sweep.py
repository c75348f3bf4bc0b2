"""Rules on the `sweep:` section (`runner sweep`): at least one param; each names a value of this
recipe that a trial may change, with a well-formed distribution of a kind that fits the value's
type; the grid sampler gets values it can list; the metric is one the task logs, sought in the
direction it improves. Whether every value a distribution can give passes the recipe's rules is
judged afterwards, by runner.recipe.sweep_fit."""

from runner.catalog.tasks import TASKS
from runner.recipe.checks.rule import check
from runner.recipe.errors import suggest
from runner.recipe.search_space import EXAMPLE, key_path, parse, typed

# Where the sweep and its trials are written, and the sweep itself: not for a trial to change;
# nor how many processes train a trial (each trains in the sweep's one process).
FIXED = ("schema_version", "name", "log", "sweep")
ONE_PROCESS = (("hardware", "devices"), ("hardware", "num_nodes"), ("hardware", "strategy"))
DIRECTIONS = {"max": "maximize", "min": "minimize"}


@check
def sweep_params(r):
    """Each params key is a value of the recipe; each distribution is well formed and fits its type."""
    if "sweep" not in r:
        return
    params = r["sweep"]["params"]
    if not params:
        yield ("sweep", "params"), "has no params to search", "add one, e.g. optim.lr: with " + EXAMPLE["float"]
    for key, spec in params.items():
        at = ("sweep", "params", key)
        problem, fix = _key_problem(r, str(key))
        if problem:
            yield at, problem, fix
            continue
        dist, problems = parse(spec)
        for problem, fix in problems:
            yield at, problem, fix
        if dist is not None:
            current = _value(r, key_path(str(key)))
            yield from ((at, p, f) for p, f in _kind_problems(dist.kind, current, str(key)))
            yield from ((at, p, f) for p, f in _choice_problems(dist, current))


@check
def sweep_grid(r):
    """The grid sampler lists every value, so each param is a choice or an int without log."""
    if "sweep" not in r or r["sweep"]["sampler"]["name"] != "grid":
        return
    for key, spec in r["sweep"]["params"].items():
        dist, _ = parse(spec)
        if dist is not None and dist.grid() is None:
            yield (
                ("sweep", "params", key),
                f"the grid sampler cannot list a {'log-scale ' if dist.log else ''}{dist.kind} range",
                "list the values under choice:, or use another sampler",
            )


@check
def sweep_metric(r):
    """The sweep's metric is one the task logs, and a given direction is the one it improves in."""
    if "sweep" not in r:
        return
    sweep, task = r["sweep"], TASKS[r["task"]]
    metric = r["train"]["checkpoint"]["monitor"] if sweep["metric"] == "auto" else sweep["metric"]
    metric = task.monitor if metric == "auto" else metric
    if metric not in task.metric_names:
        yield (
            ("sweep", "metric"),
            f"{metric} is not a metric of task {task.name}",
            "use one of: " + ", ".join(task.metric_names),
        )
        return
    better = DIRECTIONS[task.metric(metric).better]
    if sweep["direction"] not in ("auto", better):
        yield ("sweep", "direction"), f"{metric} is better when {better[:3]}imised", f"set direction: {better}"


def _key_problem(r: dict, key: str) -> tuple[str, str]:
    path = key_path(key)
    if path[0] in FIXED:
        return f"{key} cannot vary between trials", "search the training keys (optim, data, augment, train, ...)"
    if path[:2] in ONE_PROCESS:
        return f"{key} cannot vary: a sweep trains each trial in one process", "start one `runner sweep` per device"
    node, walked = r, []
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            known = list(node) if isinstance(node, dict) else []
            where = ".".join(walked) or "the recipe"
            return f"{key} is not a key of this recipe ({part} is not in {where})", suggest(str(part), known)
        walked.append(str(part))
    if isinstance(node, dict):
        return f"{key} is a section", "name one of its keys: " + ", ".join(f"{key}.{k}" for k in node)
    return "", ""


def _value(r: dict, path: tuple):
    for part in path:
        r = r[part]
    return r


def _choice_problems(dist, current) -> list[tuple[str, str]]:
    """Choices are values an override can write (no mappings), each once as the key reads it."""
    if dist.kind != "choice":
        return []
    nested = [
        c
        for c in dist.choices
        if isinstance(c, dict) or (isinstance(c, list) and any(isinstance(i, (dict, list)) for i in c))
    ]
    if nested:
        return [("a choice is a mapping or a list of them", "search the keys inside it, e.g. augment.train.0.p")]
    seen = typed(dist, current).choices
    twice = [c for i, c in enumerate(seen) if c in seen[:i]]
    return [(f"choice lists {twice[0]!r} twice, as {type(current).__name__}", "list each value once")] if twice else []


def _kind_problems(kind: str, value, key: str) -> list[tuple[str, str]]:
    """A range fits a number; text, true/false and lists are searched by choice."""
    if kind == "choice":
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [(f"{key} is not a number, so it is searched by choice", "list its values under choice:")]
    if kind == "float" and isinstance(value, int):
        return [(f"{key} is a whole number", "use int: (low, high) or choice:")]
    return []
