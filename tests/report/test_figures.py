"""Charts as PNG, SVG and PDF files: the format from the suffix, the scenario hash in the metadata,
the same bytes for the same figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from PIL import Image

from deploysim.plots.output import save_figure
from deploysim.reporting.charts import chart_metadata, save_charts
from deploysim.reporting.stored import open_experiment

METADATA = {"Title": "Staffing", "Subject": "scenario hash 917877401338941f", "Keywords": "deploysim, hash:9178"}


def _figure() -> Figure:
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot([0, 1, 2], [1, 3, 2], label="filled")
    return fig


def test_svg_carries_title_subject_and_keywords_and_no_date(tmp_path: Path) -> None:
    path = save_figure(_figure(), tmp_path / "chart.svg", METADATA)
    text = path.read_text()
    assert "<dc:title>Staffing</dc:title>" in text
    assert "<dc:description>scenario hash 917877401338941f</dc:description>" in text
    assert "<rdf:li>hash:9178</rdf:li>" in text
    assert "<dc:date>" not in text
    again = save_figure(_figure(), tmp_path / "again.svg", METADATA)
    assert again.read_bytes() == path.read_bytes()


def test_pdf_carries_the_hash_in_its_info_dictionary_and_no_creation_date(tmp_path: Path) -> None:
    data = save_figure(_figure(), tmp_path / "chart.pdf", METADATA).read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/Subject (scenario hash 917877401338941f)" in data
    assert b"/CreationDate" not in data
    assert save_figure(_figure(), tmp_path / "again.pdf", METADATA).read_bytes() == data


def test_png_carries_the_metadata_as_text_chunks(tmp_path: Path) -> None:
    path = save_figure(_figure(), tmp_path / "chart.png", METADATA)
    with Image.open(path) as image:
        assert image.info["Description"] == "scenario hash 917877401338941f"
        assert image.info["Title"] == "Staffing"


def test_an_unknown_suffix_or_metadata_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf"):
        save_figure(_figure(), tmp_path / "chart.jpg")
    with pytest.raises(ValueError, match="Author"):
        save_figure(_figure(), tmp_path / "chart.svg", {"Author": "x"})


def test_save_charts_writes_every_chart_with_the_manifest_s_scenario_hash(run_dir: Path, tmp_path: Path) -> None:
    experiment = open_experiment(run_dir)
    written = save_charts(experiment.result, tmp_path, "svg")
    assert [p.name for p in written] == ["staffing.svg", "outcomes.svg", "coverage.svg", "timeline.svg"]
    digest = json.loads((run_dir / "manifest.json").read_text())["scenarios"]["Kyrgyzstan PAG 2010 (as planned)"]
    for path in written:
        assert f"scenario-hash:{digest['hash']}" in path.read_text()
    meta = chart_metadata(experiment.manifest, "Staffing")
    assert digest["hash"] in meta["Subject"] and meta["Title"] == "Staffing"
