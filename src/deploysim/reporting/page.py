"""The HTML document around the sections: one self-contained file that fetches nothing and prints well.

The Content-Security-Policy forbids every fetch and every script; only inline styles and ``data:``
images (rasters inside the charts) are allowed, so the file can be mailed, archived and opened
offline, and shows the same everywhere. The manifest rides along as a JSON data block, which is not
a script and runs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from deploysim.reporting.html import Markup, element, esc
from deploysim.reporting.inline_svg import SVG_CSS

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
:root{--ink:#1f2933;--muted:#52606d;--rule:#d9e2ec;--band:#f5f7fa;--accent:#0072b2}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);
 margin:0 auto;max-width:1120px;padding:24px 32px 64px}
h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.3em;margin:2em 0 .6em;border-bottom:2px solid var(--rule)}
h3{font-size:1.08em;margin:1.4em 0 .4em}.meta,figcaption,caption,.note{color:var(--muted);font-size:.9em}
nav ol{columns:3;padding-left:1.2em;margin:.8em 0}nav a{color:var(--accent)}
.question{font-size:1.15em;font-weight:600}
.answer{background:var(--band);border-left:4px solid var(--accent);padding:10px 18px;margin:0}
.answer li{margin:.3em 0}.answer li:first-child{font-size:1.15em;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.6em 0 1.2em;font-size:.92em}
caption{text-align:left;padding:0 0 4px}
th,td{border-bottom:1px solid var(--rule);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--band)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}
td code{font-size:.85em;overflow-wrap:anywhere}
.na,.no{color:var(--muted)}.yes{font-weight:600}.assumption td:nth-child(3){font-style:italic}
figure{margin:1.2em 0 2em;break-inside:avoid}svg.chart,img.chart{display:block;width:100%;height:auto;max-width:980px}
pre{background:var(--band);padding:12px;overflow:auto;font-size:.82em;line-height:1.35}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dt{font-weight:600}dd{margin:0}
details{margin:.6em 0}summary{cursor:pointer;color:var(--accent)}
@media print{body{max-width:none;padding:0;font-size:10.5pt}nav{display:none}
 h2{break-after:avoid}table,figure,.answer{break-inside:avoid}details:not([open]){display:none}
 a{color:inherit;text-decoration:none}@page{margin:16mm 14mm}}
""".strip()


def manifest_block(manifest: dict[str, Any]) -> Markup:
    """The manifest as a JSON data block; ``<`` is escaped so no value can close the element."""
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False, default=str).replace("<", "\\u003c")
    return Markup(f'<script type="application/json" id="manifest">{text}</script>')


def contents(entries: Sequence[tuple[str, str]]) -> Markup:
    links = [element("li", element("a", title, href=f"#{identifier}")) for identifier, title in entries]
    return element("nav", [element("strong", "Contents"), element("ol", links)])


def document(title: str, subtitle: str, toc: Sequence[tuple[str, str]], body: Sequence[Markup],
             manifest: dict[str, Any]) -> str:
    """The whole page as text, the same for the same inputs."""
    head = "\n".join([
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="deploysim">',
        f"<title>{esc(title)}</title>",
        f"<style>\n{CSS}\n{SVG_CSS}\n</style>",
    ])
    main = "\n".join([element("header", [element("h1", title), element("p", subtitle, class_="meta")]),
                      contents(toc), *body, manifest_block(manifest)])
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{head}\n</head>\n<body>\n{main}\n</body>\n</html>\n'
