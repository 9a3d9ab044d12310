"""Charts as markup inside the page: SVG that is the same bytes every time and fetches nothing.

Matplotlib's SVG carries a creation date, a creator link and ids drawn at random; here the date and
links are left out, ids come from a fixed salt, and every id is prefixed with the chart's own name,
since several charts share one HTML document and an id must be unique in it. Text stays text
(``svg.fonttype='none'``): smaller, searchable and sharp in print. Where a chart draws rasters (the
coverage heatmap), matplotlib embeds them as ``data:`` PNGs, which the page's policy allows.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RASTER_DPI = 100
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_DEFAULT_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>")
"""Matplotlib's ``*{stroke-linejoin...}`` rule: inline, it would style the whole page; the page's CSS
gives it to the charts alone (:data:`SVG_CSS`)."""
SVG_CSS = "svg.chart *{stroke-linejoin:round;stroke-linecap:butt}"
_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make every id, and every reference to one, unique to this chart within the page."""
    seen: dict[str, int] = {}

    def unique(match: re.Match[str]) -> str:
        # a chart of several panels gives each panel's artists the same group id (a gid names what an
        # artist is, not which panel it is in); in a page ids must be unique, and no url(#...) points at
        # a group, so a repeat gets a counter
        name = f"{prefix}-{match[1]}"
        seen[name] = seen.get(name, 0) + 1
        return f'id="{name}"' if seen[name] == 1 else f'id="{name}-{seen[name]}"'

    svg = re.sub(r'\bid="([^"]+)"', unique, svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m[1]})", svg)
    return re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m[1]}="#{prefix}-{m[2]}"', svg)


def figure_svg(fig: Figure, prefix: str, title: str | None = None) -> str:
    """``fig`` as an ``<svg>`` element to put in HTML: no prolog, no namespaces the HTML parser adds
    itself, no fixed size (the page's CSS scales it by its viewBox), ids prefixed with ``prefix``."""
    import matplotlib as mpl

    from deploysim.plots.output import SVG_HASHSALT

    buffer = io.StringIO()
    metadata = {"Date": None, "Creator": None, "Type": None, "Format": None}
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"{SVG_HASHSALT}-{prefix}"}):
        fig.savefig(buffer, format="svg", dpi=RASTER_DPI, facecolor=fig.get_facecolor(), metadata=metadata)
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    svg = _NAMESPACES.sub("", svg)
    svg = _METADATA.sub("", svg, count=1)
    svg = _DEFAULT_STYLE.sub("", svg, count=1)
    svg = _SIZE.sub(r"\1", svg, count=1)
    label = _attribute(title or prefix)
    svg = svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{label}" ', 1)
    return _prefix_ids(svg, prefix).strip()


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
