"""The parts of the report that a run and a comparison share: the scenario's story and sources, the method
notes, and the appendix with provenance and the scenario as it ran."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from deploysim.reporting.headline import Headline
from deploysim.reporting.html import Markup, definitions, details, element, paragraphs, section, table
from deploysim.reporting.sources import Annotations
from deploysim.reporting.story import CHANGED, FOUND, ScenarioStory

ESTIMATOR_NOTES = (
    ("Milestones", "time-to-event data: Kaplan-Meier over all runs, so a run that never reaches a milestone counts "
                   "as later than the horizon; P(reached) with a Wilson interval; the restricted mean to the horizon."),
    ("Targets", "the share of runs reaching a milestone by the day, from the same Kaplan-Meier curve."),
    ("Shares of time", "pooled over every run's mandate days (a ratio of totals), with a delta-method interval."),
    ("Ratios", "a ratio of totals across runs (e.g. cost per delivered person-month), with a delta-method interval."),
    ("Yes/no outcomes", "the share of runs, with a Wilson interval."),
    ("Amounts", "the mean per run, with a Student-t interval."),
)


def answer_section(headline: Headline) -> Markup:
    answers = element("ul", [element("li", text) for text in headline.answers], class_="answer")
    return section("answer", "Question and answer", element("p", headline.question, class_="question"), answers)


def _file_note(story: ScenarioStory) -> str:
    if not story.file:
        return f"A scenario built in code (hash {story.hash}): it has no file to cite sources; its definition is shown."
    where = f"Scenario file {story.file}"
    if story.status == FOUND:
        return f"{where}, hash {story.hash}: the file still gives the scenario that ran; its comments are shown."
    if story.status == CHANGED:
        return (f"{where} has changed since the run (it no longer gives hash {story.hash}): its comments are not "
                "shown, and the scenario below is the stored definition.")
    return f"{where} is not at hand (hash {story.hash}): sources cannot be read; the stored definition is shown."


def _citations_table(annotations: Annotations) -> Markup:
    rows = [[element("code", c.path), c.value, c.basis, ", ".join(c.tags), c.note] for c in annotations.citations]
    caption = ("Change a setting in the file, or sweep it with deploysim sweep --set PATH=VALUE; tags refer to the "
               "scenario's sources ([A]: an assumption)")
    return table(["Setting (--set path)", "Value", "Basis", "Tags", "Note"], rows, caption)


def _basis_counts(annotations: Annotations) -> str:
    total, assumed = len(annotations.citations), len(annotations.assumptions)
    return (f"{total} settings name their basis: {total - assumed} rest on sources alone and {assumed} on an "
            "assumption; each is listed under Sources and assumptions below.")


def story_block(story: ScenarioStory, heading: bool) -> Markup:
    """The description, the file header's own words, its legend of sources, and where the file is."""
    parts: list[Markup] = [element("h3", story.label)] if heading else []
    parts.append(paragraphs([story.description or "(The scenario has no description.)"]))
    annotations = story.annotations
    if annotations is not None and annotations.intro:
        parts.append(element("p", annotations.intro))
    if annotations is not None and annotations.legend:
        parts.append(definitions((s.tag, s.text) for s in annotations.legend))
    if annotations is not None and annotations.citations:
        parts.append(element("p", _basis_counts(annotations)))
    parts.append(element("p", _file_note(story), class_="note"))
    return Markup("\n".join(parts))


def story_section(stories: Sequence[ScenarioStory]) -> Markup:
    title = "The scenarios" if len(stories) > 1 else "The scenario"
    return section("scenario", title, *(story_block(s, len(stories) > 1) for s in stories))


def sources_section(stories: Sequence[ScenarioStory]) -> Markup | None:
    """Every setting that names its basis, scenario by scenario; None when no file could be read."""
    blocks = []
    for story in stories:
        if story.annotations is not None and story.annotations.citations:
            heading = [element("h3", story.label)] if len(stories) > 1 else []
            blocks.append(Markup("\n".join([*heading, _citations_table(story.annotations)])))
    return section("sources", "Sources and assumptions, setting by setting", *blocks) if blocks else None


def method_section(manifest: dict[str, Any], summary: pd.DataFrame, compare: bool) -> Markup:
    n, seed = manifest.get("replications"), manifest.get("root_seed")
    each = " per scenario" if compare else ""
    notes = [f"{n} replications{each} from root seed {seed}; replication r draws from the same seed whatever ran "
             "before it, so the same command gives the same numbers."]
    if compare:
        notes.append(f"Common random numbers: replication r of every scenario shares its random draws wherever the "
                     f"scenarios agree, and differences from the baseline ({manifest.get('baseline')}) are taken "
                     "run by run (paired), which makes their intervals much narrower than independent runs would.")
    notes.append("Intervals are 95% confidence intervals of the estimate over replications (not the spread of "
                 "runs: that is what the charts' bands and the percentiles show).")
    if manifest.get("precision"):
        reached = "reached" if manifest.get("precision_reached") else "NOT reached (stopped at the maximum)"
        notes.append(f"Replications were added until the precision targets {', '.join(manifest['precision'])} were "
                     f"met: {reached}.")
    failed = int(summary["failed"].max()) if "failed" in summary and len(summary) else 0
    notes.append(f"{failed} run(s) failed and are left out of every estimate." if failed else "No run failed.")
    used = sorted({str(e) for e in summary["estimator"].dropna() if not str(e).startswith("n/a")})
    return section("method", "Method notes", paragraphs(notes),
                   element("h3", "Estimators"), definitions(ESTIMATOR_NOTES),
                   element("p", "Estimators in this summary: " + "; ".join(used) + ".", class_="note"))


def _provenance_rows(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("kind", str(manifest.get("kind"))), ("deploysim", str(manifest.get("deploysim_version"))),
            ("commit", str(manifest.get("git_commit") or "not from a checkout")),
            ("python", str(manifest.get("python"))), ("results written", str(manifest.get("created"))),
            ("command", "deploysim " + " ".join(str(a) for a in manifest.get("argv", []))),
            ("root seed", str(manifest.get("root_seed"))), ("replications", str(manifest.get("replications")))]
    for label, entry in manifest.get("scenarios", {}).items():
        if isinstance(entry, dict):
            rows.append((f"scenario {label}", f"file {entry.get('file') or '(none)'}, hash {entry.get('hash')}"))
    if manifest.get("overrides"):
        rows.append(("changes (--set)", ", ".join(manifest["overrides"])))
    if manifest.get("targets"):
        rows.append(("targets", ", ".join(manifest["targets"])))
    return rows


def appendix_section(manifest: dict[str, Any], stories: Sequence[ScenarioStory]) -> Markup:
    rows = [[key, value] for key, value in _provenance_rows(manifest)]
    caption = "Provenance (the full manifest is embedded in this file as JSON)"
    parts: list[Markup] = [table(["Field", "Value"], rows, caption)]
    for story in stories:
        what = f"file {story.file}" if story.status == FOUND else "stored definition"
        parts.append(details(f"Scenario {story.label} as it ran ({what})", element("pre", story.text)))
    return section("appendix", "Appendix: provenance and the scenario as it ran", *parts)
