"""The recipe language, stage by stage: load (strict YAML and a line map) -> overrides ->
validation (cerberus against schemas/) -> checks (rules across keys) -> compile (a Program of
typed specs and derived numbers); with the plan `runner show` prints, the JSON Schema, the YAML
writer, the errors every layer above reports in, and the bounded reader (reading.py) through
which every layer reads a file it did not write this moment: a recipe, a run directory's JSON and
CSV, a dataset folder's notes.

May import: runner.catalog, strictyaml, cerberus and the standard library. Never runner.data,
runner.run, the backends or a deep-learning framework: `runner validate` answers in a fraction
of a second.
"""
