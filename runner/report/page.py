"""HTML for the report's pages: one self-contained document (inline CSS, no script, nothing
fetched), sections with headings, tables and images beside the page. Every text from a run
directory is escaped: a run's name or class names are data, never markup."""

from html import escape

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; } pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.warn { background: #fff4e0; border-left: 4px solid #e69500; padding: 0.3em 0.8em; margin: 0.3em 0; }
.missing { color: #888; font-style: italic; } .muted { color: #666; }
"""


def document(title: str, sections: list[str], warnings: list[str]) -> str:
    notes = "".join(f'<p class="warn">{escape(w)}</p>' for w in warnings)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{notes}\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )


def section(anchor: str, heading: str, *parts: str) -> str:
    return f'<section id="{escape(anchor)}"><h2>{escape(heading)}</h2>\n' + "\n".join(parts) + "\n</section>"


def missing(why: str) -> str:
    return f'<p class="missing">{escape(why)}</p>'


def paragraph(text: str, muted: bool = False) -> str:
    return f"<p{' class=muted' if muted else ''}>{escape(text)}</p>"


def image(name: str, alt: str) -> str:
    return f'<img src="{escape(name)}" alt="{escape(alt)}">'


def table(header: list[str], rows: list[list]) -> str:
    """A table; with an all-empty `header`, one without a heading row (a list of facts)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    heading = f"<thead><tr>{head}</tr></thead>" if any(header) else ""
    return f"<table>{heading}<tbody>{body}</tbody></table>"


def details(summary: str, text: str) -> str:
    return f"<details><summary>{escape(summary)}</summary><pre>{escape(text)}</pre></details>"


def _cell(value) -> str:
    if isinstance(value, float):
        return f'<td class="n">{value:.4f}</td>'
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape(str(value))}</td>"
