"""The measure registry is the one home of every summary measure: what one run computes is exactly what it lists."""

from __future__ import annotations

from builders import scenario

from deploysim import simulate
from deploysim.results.measures import KEY_MEASURES, MEASURES, measure_label, measure_unit


def test_shares_and_ratios_name_registered_totals_to_divide() -> None:
    for measure in MEASURES.values():
        if measure.kind == "share":
            assert measure.numerator in MEASURES and measure.denominator in MEASURES, measure.name
        for total in (measure.numerator, measure.denominator):
            assert total is None or MEASURES[total].kind in ("count", "money"), (measure.name, total)


def test_a_run_reports_exactly_the_registered_measures_in_registry_order() -> None:
    result = simulate(scenario(), seed=0)
    assert list(result.summary) == list(MEASURES)


def test_every_measure_has_a_label_a_unit_and_a_kind() -> None:
    for name, measure in MEASURES.items():
        assert measure.name == name
        assert measure.label and not measure.label[0].islower(), name  # a title, not a column name
        assert measure.unit, name
        assert measure.kind in ("milestone", "share", "ratio", "duration", "count", "money", "proportion"), name


def test_money_units_name_the_scenario_currency() -> None:
    assert measure_unit("cost_per_person_month", "EUR") == "EUR per person-month"
    assert measure_unit("total_cost", "EUR") == "EUR"


def test_key_measures_are_registered_and_unknown_columns_read_as_words() -> None:
    assert set(KEY_MEASURES) <= set(MEASURES)
    assert measure_label("some_new_column") == "Some new column"
