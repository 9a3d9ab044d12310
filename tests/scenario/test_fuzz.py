"""Mutation fuzzing of the shipped scenarios: bad input never crashes, hangs, lies or reaches outside.

Each example takes one of ``scenarios/*.yaml`` with its horizon cut to RUN_DAYS (so that a run stays
short), mutates it one to three times and writes it to a file. Mutations work on the data (at any
leaf or structure: types, signs, huge and tiny values, unicode and control characters, malformed
distributions and units, raw YAML, deleted, added, emptied and duplicated keys and items, dangling
and duplicate names) or on the text (control and non-printable characters, broken encodings,
truncation, duplicated or deleted lines, tabs, YAML tricks, huge numbers). Then, for each mutant:

* ``deploysim validate FILE``, called in-process, exits 0 or 2; with 2, stderr is exactly one line
  naming the file, with no traceback and none of PyYAML's or pydantic's own wording; a sample of the
  mutants also goes through a real ``python -m deploysim validate`` with the same outcome;
* a mutant the fuzzer knows to be invalid (a duplicated name, a dangling reference, a control
  character, a byte that is not UTF-8) is refused;
* a mutant that validates runs one replication, capped at RUN_DAYS days, in a forked child under a
  time limit (RUN_TIMEOUT_S) and a memory limit, without an exception, and its daily table dates
  day ``d`` as ``start_date + d``.

The mutants are a pure function of the seed and the shipped files, so counts before and after a
change compare like with like. ``DEPLOYSIM_FUZZ_EXAMPLES`` (default 300) and ``DEPLOYSIM_FUZZ_SEED``
(default 0) choose how many and which; ``DEPLOYSIM_FUZZ_KEEP=DIR`` keeps the files there for a look.
``pytest -s`` prints the counts: files, validated, runs and failures by kind, with one example each.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import multiprocessing
import os
import random
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import yaml

from deploysim.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO_ROOT / "scenarios").glob("*.yaml"))
RUN_DAYS = 60
LARGE_RUN_DAYS = 10  # for a mission of more than LARGE_POSTS posts (the 15,000 of large-mission.yaml)
LARGE_POSTS = 2_000
BASE_WEIGHTS = {"large-mission": 0.25}  # others 1: a mutant of the large mission takes ~15x as long to read
RUN_TIMEOUT_S = 20.0
VALIDATE_TIMEOUT_S = 20.0
CHILD_MEMORY_BYTES = 3 * 2**30  # address space a run may add to what the forked child starts with
SUBPROCESS_SAMPLE = 8

JARGON = ("Input should", "validation error", "pydantic", "type=", "Value error", "<unicode string>",
          "function-after", "[key]", "instance of", "Traceback", "errors.pydantic.dev")

Key = str | int
Path_ = tuple[Key, ...]


@dataclass(frozen=True)
class FuzzConfig:
    examples: int
    seed: int
    keep: Path | None

    @classmethod
    def from_env(cls) -> FuzzConfig:
        keep = os.environ.get("DEPLOYSIM_FUZZ_KEEP")
        return cls(
            examples=int(os.environ.get("DEPLOYSIM_FUZZ_EXAMPLES", "300")),
            seed=int(os.environ.get("DEPLOYSIM_FUZZ_SEED", "0")),
            keep=Path(keep) if keep else None,
        )


@dataclass
class Mutant:
    """One mutated file: where it came from, what was done, and whether it must be refused (and why)."""

    base: str
    changes: list[str]
    content: bytes
    must_refuse: str | None = None


# --- values the mutations write ----------------------------------------------------------------------

LARGE: list[Any] = [100, 1000, 10**4, 10**5, 999_999, 10**6, 365.25 * 49]
HUGE: list[Any] = [10**6, 10**7, 10**9, 10**15, 10**30, 2**63, 1e308, -1e308, 10**400]
TINY: list[Any] = [1e-9, 1e-300, 5e-324, 1e-7]
SPECIAL: list[Any] = [0, -1, -0.0, 1, 0.5, True, False, None, math.nan, math.inf, -math.inf, "", [], {}]
PROBABILITY_EDGES: list[Any] = [0, 1, 0.999999, 1e-12, 1.0000001, 0.99]
TEXTS: list[Any] = ["", " ", "x" * 5000, "é", "名前", "🚓", "\u202e", "a\x00b", "\x07", "line\nbreak", "tab\there",
                    "\ud800", "\ufeff", "../../etc/passwd", "/dev/zero", "a/b", "%s{0}", "  padded  ", "null", "ten",
                    "\x1b[31mred", "\u2028", "\x85"]
DURATIONS: list[Any] = [
    "0 d", "1e-9 d", "1e6 d", "50 years", "49 y", "exponential(1e-6) d", "uniform(0, 1e-9) d", "1 d",
    "empirical(0, 0, 1000) d", "lognormal(1, 100) d", "gamma(1, 1000) d", "exponential(1e6) d", "0.0001 d",
    "0 d", "0", "1e-9 d", "1e-300 d", "1e9 years", "1e300 years", "-5 d", "5 parsecs", "5 ms", "17", "1e400 d",
    "triangular(1, 2) d", "uniform(5, 1) d", "uniform(0, 0) d", "exponential(0) d", "exponential(1e-300) d",
    "lognormal(1e-300, 1e300) d", "gamma(1e-200, 1e200) d", "empirical(0, 0, 0) d", "empirical() d",
    "fixed(nan) d", "uniform(0, 40", "exponential(1.5) d d", "weibull(2, 3) d", "triangular(0, 0, 0) d",
    "uniform(0, 1e308) years", "empirical(1e308, 1e308) y", "lognormal(1, 1e300) d", "gamma(1, 1e-300) d",
    {"dist": "empirical", "values": [1, 2], "weights": [1e308, 1e308]},
    {"dist": "empirical", "values": [1, 2], "weights": [5e-324, 0]},
    {"dist": "weibull", "mean": 3}, {"dist": "fixed"}, {"dist": "fixed", "value": 3, "unit": "fortnight"},
    {"dist": "gamma", "mean": 1e-9, "sd": 1e9}, {"dist": "lognormal", "mean": 1, "sd": 1e308},
    {"dist": "empirical", "values": [0] * 999 + [1e9]}, {"dist": "uniform", "low": 0, "high": 1e308, "unit": "y"},
    {"dist": "exponential", "mean": 1e-300}, {"dist": "fixed", "value": "3 d"}, {"dist": ["fixed"]},
]
DATES: list[Any] = [dt.date(2262, 4, 1), dt.date(2262, 4, 11), dt.date(2262, 4, 12), dt.date(2300, 1, 1),
                    dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(1677, 9, 1), dt.date(1677, 9, 22),
                    dt.date(1970, 1, 1), dt.date(2262, 2, 1), "2010-02-30", "2010-13-01", "22 July 2010"]
RAW_YAML: list[str] = [
    "2010-02-30", "1e400", "0x7fffffffffffffff", ".nan", "-.inf", "!!binary aGVsbG8=", "!!set {a, b}",
    "*undefined", "{dist: fixed", "[1, 2", '"\\ud800"', '"\\x00"', "!!python/name:os.system", "2262-04-12 12:00:00",
    "1" + "0" * 5000, "!!float 1e400", "!!int 1.5", "~", "'0 d'", "=", "!!timestamp 2300-01-01", "&anchor 5",
    "{? [a]: b}", "[[[[[[[[]]]]]]]]", "!!str", "0o777", "1_000_000", "+.inf", "2262-04-11", "1677-09-21",
]
CONTROL_CHARACTERS = [chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x80, 0x84, 0x86, 0x9F)]
REFUSED_CHARACTERS = [*CONTROL_CHARACTERS, "\ufffe", "\uffff"]  # PyYAML's reader refuses each of these
ODD_CHARACTERS = ["\x85", "\u2028", "\u00a0", "\ufeff", "\u202e", "\u200b", "é", "🚓"]
BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80", b"\xfe\xff", b"\xc0\xaf"]
YAML_TRICKS = [
    "x: !!python/object/apply:os.system ['echo pwned']",
    "---\nname: a second document",
    "%YAML 1.1\n---",
    "<<: {name: merged}",
    "? [a, b]\n: c",
    "[a]: b",
    "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e]",
    "loop: &loop [*loop]",
    "name: " + "[" * 80 + "]" * 80,
    "...",
    "'unclosed: a",
    "key: |\n  block\n\tindent",
]
NAMED_LISTS = {"units", "teams", "phases", "expansions", "training_programmes", "new_units", "new_teams"}
UNKNOWN_NAME = "Nowhere at all"
DURATION_TEXT = re.compile(r"^\s*[-+.\d].*[A-Za-z]\s*$|\(")


# --- walking plain data -------------------------------------------------------------------------------


def unshared(value: Any) -> Any:
    """A deep copy without the sharing YAML anchors create, so one mutation changes one place."""
    if isinstance(value, dict):
        return {key: unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unshared(item) for item in value]
    return value


def slots(node: Any, path: Path_ = ()) -> Iterator[tuple[Any, Key, Path_]]:
    """Every (container, key, path) in the data, parents before children."""
    items: list[tuple[Key, Any]] = []
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    for key, value in items:
        yield node, key, (*path, key)
        yield from slots(value, (*path, key))


def dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path) or "(top)"


class DataMutator:
    """Mutations of parsed scenario data; each returns a description, or None where it does not apply.

    ``raw`` maps placeholders written into the data to raw YAML text substituted after dumping, for
    values a YAML dump cannot produce (an invalid date, a tag, an unclosed bracket). A mutation that
    makes the scenario invalid for certain sets ``must_refuse``.
    """

    def __init__(self, rng: random.Random, data: dict[str, Any]) -> None:
        self.rng = rng
        self.data = data
        self.raw: dict[str, str] = {}
        self.must_refuse: str | None = None

    def pick(self, keep: Callable[[Any, Key, Path_], bool]) -> tuple[Any, Key, Path_] | None:
        chosen = [slot for slot in slots(self.data) if keep(*slot)]
        return self.rng.choice(chosen) if chosen else None

    # leaves
    def leaf_value(self) -> str | None:
        slot = self.pick(lambda c, k, p: not isinstance(c[k], dict | list))
        if slot is None:
            return None
        container, key, path = slot
        container[key] = self.value_like(container[key])
        return f"{dotted(path)} = {short(container[key], self.raw)}"

    def value_like(self, old: Any) -> Any:
        rng = self.rng
        if rng.random() < 0.05:
            return self.raw_value()
        if rng.random() < 0.06:
            return copy.deepcopy(rng.choice([*HUGE, *TINY, *SPECIAL, *TEXTS, *DURATIONS, *DATES]))
        if isinstance(old, bool):
            return rng.choice([*SPECIAL, "yes", "on", 2])
        if isinstance(old, int | float):
            return self.number_like(old)
        if isinstance(old, dt.date):
            return rng.choice(DATES)
        if isinstance(old, str) and DURATION_TEXT.search(old):
            return copy.deepcopy(rng.choice(DURATIONS))
        return self.name_like()

    def number_like(self, old: float) -> Any:
        rng = self.rng
        choice = rng.randrange(7)
        if choice == 0:
            return -old if old else -1
        if choice == 1:
            return old * 10 ** rng.choice([3, 6, 9, 15, 30, 300]) if old else rng.choice(HUGE)
        if choice == 2:
            return rng.choice(TINY) if rng.random() < 0.5 else old / 10 ** rng.choice([6, 300])
        if choice == 3:
            return rng.choice(PROBABILITY_EDGES)
        if choice == 4:
            return rng.choice(HUGE)
        if choice == 5:
            return rng.choice(LARGE)
        return rng.choice(SPECIAL)

    def name_like(self) -> Any:
        if self.rng.random() < 0.4:
            names = [c[k] for c, k, _ in slots(self.data) if k == "name" and isinstance(c[k], str)]
            if names:
                return self.rng.choice(names)
        return self.rng.choice(TEXTS)

    def raw_value(self) -> str:
        token = f"RAW{len(self.raw)}PLACEHOLDER"
        self.raw[token] = self.rng.choice(RAW_YAML)
        return token

    def scale_number(self) -> str | None:
        slot = self.pick(lambda c, k, p: isinstance(c[k], int | float) and not isinstance(c[k], bool))
        if slot is None:
            return None
        container, key, path = slot
        factor = 10 ** self.rng.choice([2, 3, 6, 9, 12, 15])
        container[key] = container[key] * factor if isinstance(container[key], int) else container[key] * 1e6
        return f"{dotted(path)} scaled to {short(container[key], self.raw)}"

    def sibling_edges(self) -> str | None:
        """Two or three leaves of one mapping at their edges (0, 1, zero or tiny durations) at once: the
        combinations (a zero call window with re-advertising for certain) that single mutations miss."""
        mapping = self.pick(lambda c, k, p: isinstance(c[k], dict) and sum(not isinstance(v, dict | list)
                                                                            for v in c[k].values()) >= 2)
        if mapping is None:
            return None
        container, key, path = mapping
        node = container[key]
        leaves = [k for k, v in node.items() if not isinstance(v, dict | list)]
        chosen = self.rng.sample(leaves, min(len(leaves), self.rng.choice([2, 3])))
        for leaf in chosen:
            old = node[leaf]
            edges: list[Any] = ["0 d", "1e-9 d", 0] if isinstance(old, str) else [0, 1, 1e-9, 10**6]
            node[leaf] = self.rng.choice(edges)
        return f"{dotted(path)}: {', '.join(f'{k}={node[k]!r}' for k in chosen)}"

    # structure
    def delete_key(self) -> str | None:
        slot = self.pick(lambda c, k, p: isinstance(c, dict))
        if slot is None:
            return None
        container, key, path = slot
        del container[key]
        return f"deleted {dotted(path)}"

    def add_key(self) -> str | None:
        slot = self.pick(lambda c, k, p: isinstance(c[k], dict))
        if slot is None:
            return None
        container, key, path = slot
        new = self.rng.choice(["colour", "unit", "name", "posts", "dist", "", "x" * 300, "🚓", "mean", "1", "null"])
        container[key][new] = self.value_like(self.rng.choice([1, "17 d", "name"]))
        return f"added {dotted((*path, new))}"

    def reshape(self) -> str | None:
        slot = self.pick(lambda c, k, p: True)
        if slot is None:
            return None
        container, key, path = slot
        old = container[key]
        how = self.rng.randrange(4)
        if how == 0:
            container[key] = [old]
        elif how == 1:
            container[key] = {"value": old}
        elif how == 2:
            container[key] = type(old)() if isinstance(old, dict | list) else []
        else:
            container[key] = "scalar" if isinstance(old, dict | list) else {"dist": "fixed", "value": old}
        return f"reshaped {dotted(path)} to {short(container[key], self.raw)}"

    def duplicate_item(self) -> str | None:
        slot = self.pick(lambda c, k, p: isinstance(c[k], list) and bool(c[k]))
        if slot is None:
            return None
        container, key, path = slot
        items = container[key]
        index = self.rng.randrange(len(items))
        items.insert(index + 1, copy.deepcopy(items[index]))
        if key in NAMED_LISTS and isinstance(items[index], dict) and "name" in items[index]:
            self.must_refuse = f"a duplicated name in {dotted(path)}"
        return f"duplicated {dotted((*path, index))}"

    def swap_siblings(self) -> str | None:
        slot = self.pick(lambda c, k, p: isinstance(c[k], dict) and len(c[k]) >= 2)
        if slot is None:
            return None
        container, key, path = slot
        a, b = self.rng.sample(list(container[key]), 2)
        node = container[key]
        node[a], node[b] = node[b], node[a]
        return f"swapped {dotted((*path, a))} and {b}"


def short(value: Any, raw: dict[str, str]) -> str:
    text = raw.get(value, repr(value)) if isinstance(value, str) else repr(value)
    return text if len(text) <= 50 else f"{text[:47]}..."


# --- mutations the scenario must refuse: names that point nowhere or appear twice ----------------------


def _references(data: dict[str, Any]) -> list[tuple[str, Callable[[], None]]]:
    """Every place where a name must refer to something that exists, with an edit that breaks it."""
    edits: list[tuple[str, Callable[[], None]]] = []

    def set_value(container: Any, key: Key, path: Path_) -> None:
        edits.append((dotted(path), lambda: container.__setitem__(key, UNKNOWN_NAME)))

    def rename_key(mapping: dict[str, Any], key: str, path: Path_) -> None:
        def edit() -> None:
            mapping[UNKNOWN_NAME] = mapping.pop(key)

        edits.append((dotted(path), edit))

    for container, key, path in list(slots(data)):
        how = _reference_kind(container, key, path)
        if how == "value":
            set_value(container, key, path)
        elif how == "key":
            rename_key(container, str(key), path)
    return edits


def _reference_kind(container: Any, key: Key, path: Path_) -> str | None:
    """"value" where the value names something that must exist, "key" where the key does, else None."""
    value = container[key]
    parent, grandparent = (path[-2] if len(path) >= 2 else None), (path[-3] if len(path) >= 3 else None)
    in_team = grandparent in ("teams", "new_teams") and isinstance(container, dict)
    names_unit = key == "unit" and in_team and isinstance(value, str)
    names_team = key == "name" and in_team and path[0] == "phases" and "unit" not in container
    names_other = key in ("fallback_phase", "trainer_role") and isinstance(value, str)
    if names_unit or names_team or names_other or parent == "advance_teams":
        return "value"
    keyed = isinstance(container, dict) and (parent in ("add_posts", "rerole", "roles") or grandparent == "add_posts")
    needed_role = parent in ("min_manning", "in_place") and isinstance(value, int) and value > 0
    return "key" if keyed or needed_role else None


def break_reference(mutator: DataMutator) -> str | None:
    edits = _references(mutator.data)
    if not edits:
        return None
    where, edit = mutator.rng.choice(edits)
    edit()
    mutator.must_refuse = f"a dangling name at {where}"
    return f"{where} -> {UNKNOWN_NAME!r}"


def rename_to_sibling(mutator: DataMutator) -> str | None:
    """An item of a named list renamed as another item of the same list."""
    lists = [(c[k], p) for c, k, p in slots(mutator.data)
             if k in NAMED_LISTS and isinstance(c[k], list) and len(c[k]) >= 2
             and all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in c[k])]
    if not lists:
        return None
    items, path = mutator.rng.choice(lists)
    a, b = mutator.rng.sample(range(len(items)), 2)
    items[a]["name"] = items[b]["name"]
    mutator.must_refuse = f"a duplicated name in {dotted(path)}"
    return f"{dotted((*path, a))}.name = {items[b]['name']!r}"


PLAIN_MUTATIONS: list[tuple[Callable[[DataMutator], str | None], int]] = [
    (DataMutator.leaf_value, 10),
    (DataMutator.scale_number, 3),
    (DataMutator.sibling_edges, 3),
    (DataMutator.delete_key, 3),
    (DataMutator.add_key, 2),
    (DataMutator.reshape, 2),
    (DataMutator.swap_siblings, 1),
]
REFUSED_MUTATIONS: list[Callable[[DataMutator], str | None]] = [
    DataMutator.duplicate_item,
    break_reference,
    rename_to_sibling,
]


def dump(data: Any, mutator: DataMutator) -> bytes:
    """The data as YAML, with the raw placeholders replaced by their text."""
    allow_unicode = mutator.rng.random() < 0.5
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=allow_unicode, width=100, default_flow_style=None)
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: written as an escape instead
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=100, default_flow_style=None)
        encoded = text.encode("utf-8")
    for token, raw in mutator.raw.items():
        encoded = encoded.replace(token.encode(), raw.encode("utf-8"))
    return encoded


def mutate_data(rng: random.Random, data: dict[str, Any]) -> tuple[bytes, list[str], str | None]:
    mutator = DataMutator(rng, data)
    changes: list[str] = []
    operations, weights = zip(*PLAIN_MUTATIONS, strict=True)
    for _ in range(rng.choice([1, 1, 1, 1, 2, 3])):
        change = rng.choices(operations, weights)[0](mutator)
        if change:
            changes.append(change)
    if rng.random() < 0.15:  # last, so that no later mutation can repair it
        change = rng.choice(REFUSED_MUTATIONS)(mutator)
        if change:
            changes.append(change)
    return dump(data, mutator), changes, mutator.must_refuse


# --- mutations of the text ------------------------------------------------------------------------------


def _line_start(text: str, rng: random.Random) -> int:
    starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
    return rng.choice(starts)


def insert_character(rng: random.Random, text: str) -> tuple[bytes, str, str | None]:
    refused = rng.random() < 0.7
    character = rng.choice(REFUSED_CHARACTERS if refused else ODD_CHARACTERS)
    at = rng.randrange(len(text) + 1)
    line = text.count("\n", 0, at) + 1
    reason = "a character YAML does not allow" if refused else None
    return (text[:at] + character + text[at:]).encode("utf-8"), f"inserted {character!r} on line {line}", reason


def insert_bad_bytes(rng: random.Random, text: str) -> tuple[bytes, str, str | None]:
    encoded = text.encode("utf-8")
    if rng.random() < 0.3:
        encoding = rng.choice(["utf-16", "utf-32", "latin-1", "cp1252"])
        spiced = text.replace("name: ", "name: é ", 1)
        return spiced.encode(encoding), f"encoded as {encoding}", "not UTF-8"
    bad = rng.choice(BAD_BYTES)
    at = rng.randrange(len(encoded) + 1)
    while at < len(encoded) and 0x80 <= encoded[at] < 0xC0:  # not inside a character, which would only shift it
        at += 1
    return encoded[:at] + bad + encoded[at:], f"inserted bytes {bad!r} at {at}", "not UTF-8"


def edit_lines(rng: random.Random, text: str) -> tuple[bytes, str, str | None]:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    how = rng.choice(["duplicate", "delete", "tab", "truncate"])
    if how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "delete":
        del lines[i]
    elif how == "tab":
        lines[i] = "\t" + lines[i].lstrip(" ")
    else:
        cut = rng.randrange(len(text) + 1)
        return text[:cut].encode("utf-8"), f"truncated at {cut}", None
    return "\n".join(lines).encode("utf-8"), f"{how} line {i + 1}", None


def add_yaml_trick(rng: random.Random, text: str) -> tuple[bytes, str, str | None]:
    trick = rng.choice(YAML_TRICKS)
    at = _line_start(text, rng) if rng.random() < 0.3 else len(text)
    return (text[:at] + trick + "\n" + text[at:]).encode("utf-8"), f"inserted {trick[:40]!r}", None


def bump_number(rng: random.Random, text: str) -> tuple[bytes, str, str | None]:
    numbers = [m for m in re.finditer(r"(?<![\w.#-])\d+(?:\.\d+)?(?![\w.-])", text)
               if "#" not in text[text.rfind("\n", 0, m.start()) + 1 : m.start()]]
    if not numbers:
        return text.encode("utf-8"), "no number to change", None
    match = rng.choice(numbers)
    new = rng.choice(["1" + "0" * rng.choice([6, 9, 15, 30, 400, 5000]), "-" + match.group(), "0", "0.0000001"])
    changed = text[: match.start()] + new + text[match.end() :]
    line = text.count("\n", 0, match.start()) + 1
    return changed.encode("utf-8"), f"line {line}: {match.group()} -> {new[:20]}", None


TEXT_MUTATIONS = [insert_character, insert_bad_bytes, edit_lines, add_yaml_trick, bump_number]


# --- mutants ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    name: str
    text: str  # horizon cut to RUN_DAYS
    data: dict[str, Any]


def load_bases() -> list[Base]:
    bases = []
    for path in SCENARIOS:
        text = re.sub(r"^horizon:.*$", f"horizon: {RUN_DAYS} d", path.read_text(encoding="utf-8"), count=1,
                      flags=re.MULTILINE)
        data = yaml.safe_load(text)
        bases.append(Base(path.stem, text, data))
    return bases


def make_mutant(rng: random.Random, bases: list[Base]) -> Mutant:
    base = rng.choices(bases, [BASE_WEIGHTS.get(b.name, 1.0) for b in bases])[0]
    if rng.random() < 0.75:
        content, changes, refuse = mutate_data(rng, unshared(base.data))
        return Mutant(base.name, changes or ["(unchanged)"], content, refuse)
    content, change, refuse = rng.choice(TEXT_MUTATIONS)(rng, base.text)
    return Mutant(base.name, [change], content, refuse)


# --- checks -------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts by outcome, and the first example of each failure kind."""

    files: int = 0
    validated: int = 0
    runs: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    files_by_kind: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, kind: str, path: Path, mutant: Mutant | None, detail: str) -> None:
        self.failures[kind] += 1
        what = "; ".join(mutant.changes) if mutant else ""
        example = f"{path.name} [{mutant.base if mutant else ''}: {what}]: {detail[:400]}"
        self.examples.setdefault(kind, example.replace("\n", "\\n"))
        self.files_by_kind.setdefault(kind, []).append(path.name)

    def report(self, config: FuzzConfig) -> str:
        lines = [
            f"fuzz (seed {config.seed}): {self.files} files, {self.validated} validated, {self.runs} runs, "
            f"{sum(self.failures.values())} failures"
        ]
        for kind, count in sorted(self.failures.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {count:5d}  {kind}\n         e.g. {self.examples[kind]}")
            if config.keep:
                lines.append(f"         files: {' '.join(self.files_by_kind[kind])}")
        return "\n".join(lines)


class TimeLimit(Exception):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimit in the main thread after ``seconds``: a validation that never ends is a failure."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_validate(path: Path, mutant: Mutant, tally: Tally, capsys: pytest.CaptureFixture[str]) -> int | None:
    """Validate in-process; returns the exit status, or None when validation itself failed."""
    capsys.readouterr()
    try:
        with time_limit(VALIDATE_TIMEOUT_S):
            code = main(["validate", str(path)])
    except TimeLimit:
        tally.fail("validate-timeout", path, mutant, f"more than {VALIDATE_TIMEOUT_S:g} s")
        return None
    except BaseException as exc:  # anything escaping main is the failure looked for
        tally.fail(f"validate-crash:{type(exc).__name__}", path, mutant, str(exc))
        return None
    out, err = capsys.readouterr()
    problem = output_problem(path, code, out, err)
    if problem:
        kind, detail = problem
        tally.fail(kind, path, mutant, detail)
        return None
    if code == 0 and mutant.must_refuse:
        tally.fail("accepted-invalid", path, mutant, f"{mutant.must_refuse}: {out.strip()}")
    return code


def output_problem(path: Path, code: int, out: str, err: str) -> tuple[str, str] | None:
    """What is wrong with validate's output for one file, as (kind, detail); None when nothing is."""
    if code == 0:
        if err or not out.startswith(f"{path}: ok ("):
            return "validate-output", f"exit 0 with stdout {out!r} and stderr {err!r}"
        return None
    if code != 2:
        return f"validate-exit:{code}", err
    lines = err.splitlines()
    if "Traceback" in err:
        return "validate-traceback", err
    if out or not lines:
        return "validate-lines", f"{len(lines)} stderr lines: {err!r}"
    for line in lines:  # one line per problem, each naming the file
        if not line.startswith(f"deploysim: error: {path}:"):
            return "validate-no-file", line
        jargon = [word for word in JARGON if word in line]
        if jargon:
            return f"validate-jargon:{jargon[0]}", line
    return None


def _limit_memory() -> None:
    """Cap the child's address space at what it has now plus CHILD_MEMORY_BYTES: a run that would eat
    the machine raises MemoryError (or dies) instead."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (current + CHILD_MEMORY_BYTES, hard))
    except (ImportError, OSError, ValueError):
        pass


def run_child(path: str, connection: Connection) -> None:
    """In the forked child: load, cap the horizon, simulate one replication and check its dates."""
    _limit_memory()
    try:
        from deploysim.results.run import simulate
        from deploysim.scenario.load import load_scenario

        scenario = load_scenario(path)
        days = LARGE_RUN_DAYS if scenario.authorised_posts > LARGE_POSTS else RUN_DAYS
        if scenario.horizon_days > days:
            scenario = scenario.model_copy(update={"horizon": float(days)})
        result = simulate(scenario, seed=0)
        problem = date_problem(result.daily, scenario.start_date)
        connection.send(("run-dates", problem) if problem else ("ok", ""))
    except BaseException as exc:  # reported to the parent, which counts it
        connection.send((f"run-exception:{type(exc).__name__}", str(exc)[:400]))
    finally:
        connection.close()


def date_problem(daily: Any, start: dt.date) -> str | None:
    """Day ``d`` of the daily table must be dated ``start + d``, whatever the start."""
    try:
        expected = [start + dt.timedelta(days=int(day)) for day in daily["day"]]
    except OverflowError:
        return f"{start} plus the horizon is past the year 9999, yet the run reported success"
    got = list(daily["date"].dt.date)
    for day, (want, have) in enumerate(zip(expected, got, strict=True)):
        if want != have:
            return f"day {day} is dated {have}, not {want}"
    return None


def check_run(path: Path, mutant: Mutant, tally: Tally) -> None:
    """One replication in a forked child, so that a hang, a crash or a memory blow-up is counted, not suffered."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=run_child, args=(str(path), send), daemon=True)
    child.start()
    send.close()
    tally.runs += 1
    try:
        if not receive.poll(RUN_TIMEOUT_S):
            tally.fail("run-timeout", path, mutant, f"no result within {RUN_TIMEOUT_S:g} s")
            return
        kind, detail = receive.recv()
    except EOFError:
        child.join(5)
        tally.fail(f"run-died:{child.exitcode}", path, mutant, "the child ended without a result")
        return
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if kind != "ok":
        tally.fail(kind, path, mutant, detail)


def check_subprocess(sample: list[tuple[Path, Mutant, int]], tally: Tally, run_cli: Callable[..., Any]) -> None:
    """The real command on a sample: the same exit status and the refused files' lines, file by file in order."""
    if not sample:
        return
    code, _, err = run_cli("validate", *(path for path, _, _ in sample), timeout=120)
    refused = [(path, mutant) for path, mutant, status in sample if status == 2]
    lines = err.splitlines()
    first = sample[0][0]
    if "Traceback" in err or code != (2 if refused else 0):
        tally.fail(f"subprocess-exit:{code}", first, sample[0][1], err[-400:])
        return
    named = [
        next((path for path, _ in refused if line.startswith(f"deploysim: error: {path}:")), None) for line in lines
    ]
    if None in named:
        line = lines[named.index(None)]
        tally.fail("subprocess-no-file", first, sample[0][1], line)
        return
    files = [path for i, path in enumerate(named) if i == 0 or named[i - 1] != path]
    if files != [path for path, _ in refused]:
        tally.fail("subprocess-lines", first, sample[0][1], f"lines for {len(files)} files, {len(refused)} refused")


@pytest.mark.skipif(
    not hasattr(signal, "setitimer") or "fork" not in multiprocessing.get_all_start_methods(),
    reason="needs POSIX timers and fork",
)
def test_mutated_scenarios_never_crash_hang_or_lie(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    run_cli: Callable[..., Any],
) -> None:
    config = FuzzConfig.from_env()
    directory = config.keep or tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed)
    bases = load_bases()
    tally = Tally()
    sample: list[tuple[Path, Mutant, int]] = []
    every = max(1, config.examples // SUBPROCESS_SAMPLE)
    for number in range(config.examples):
        mutant = make_mutant(rng, bases)
        path = directory / f"mutant-{number:05d}-{mutant.base}.yaml"
        path.write_bytes(mutant.content)
        tally.files += 1
        code = check_validate(path, mutant, tally, capsys)
        if code == 0:
            tally.validated += 1
            check_run(path, mutant, tally)
        if code is not None and number % every == 0:
            sample.append((path, mutant, code))
    check_subprocess(sample, tally, run_cli)
    report = tally.report(config)
    if request.config.getoption("capture") == "no":
        with capsys.disabled():
            print(f"\n{report}", file=sys.stdout)
    assert not tally.failures, report
