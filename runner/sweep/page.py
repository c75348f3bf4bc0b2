"""`runner report SWEEP_DIR`: the sweep's page, report/index.html in its directory: the trials,
the best one, and the study's plots (drawn again, so the page shows the study as it is now)."""

from pathlib import Path

from runner.recipe.stages import load_recipe
from runner.report import page
from runner.sweep import folder, plots, table
from runner.sweep.study import load, shown


def build(where: Path) -> Path:
    record = folder.read(where)
    metric = load_recipe(str(where / folder.RECIPE), record["overrides"], fit=False).data["sweep"]["metric"]
    study = load(record["storage"], record["study"])
    drawn = plots.write(study, where / folder.PLOTS, metric)
    header, body = table.rows(study, metric)
    figures = [page.image(f"../{folder.PLOTS}/{p.name}", p.stem) for p in drawn] or [
        page.missing("the plots need two completed trials")
    ]
    sections = [
        f'<header id="header"><h1>Sweep {record["study"]}</h1>'
        + page.paragraph(f"study {record['study']!r} in {shown(record['storage'])}; recipe {record['recipe']}")
        + "".join(page.paragraph(line) for line in table.verdict(study, metric))
        + "</header>",
        page.section("trials", "Trials", page.table(header, body)),
        page.section("plots", "Plots", *figures),
    ]
    out = where / "report"
    out.mkdir(exist_ok=True)
    index = out / "index.html"
    index.write_text(page.document(f"runner report: sweep {record['study']}", sections, []))
    return index
