"""The first commands a newcomer types say what to do next."""

from __future__ import annotations

from collections.abc import Callable

CliResult = tuple[int, str, str]


def test_the_bare_command_lists_the_commands_and_an_example(run_cli: Callable[..., CliResult]) -> None:
    code, _, err = run_cli()
    assert code == 2 and "Traceback" not in err
    for command in ("run", "compare", "sweep", "analyze", "validate", "diff", "schema"):
        assert f"    {command} " in err, command
    assert err.strip().splitlines()[-1] == ("deploysim: error: give a command, e.g. deploysim run "
                                            "scenarios/kyrgyzstan-2010.yaml")


def test_run_and_validate_describe_themselves_with_examples(run_cli: Callable[..., CliResult]) -> None:
    for command, example in (("run", "deploysim run scenarios/kyrgyzstan-2010.yaml --reps 500"),
                             ("validate", "deploysim validate scenarios/*.yaml")):
        code, out, _ = run_cli(command, "--help")
        assert code == 0 and example in out and ("examples:" in out or "example:" in out), command


def test_the_chart_formats_the_cli_offers_are_those_the_plots_write() -> None:
    """Kept apart so that --help imports no plotting; this keeps the two lists one list."""
    from deploysim.cli.outputs import FORMATS as offered
    from deploysim.plots.output import FORMATS as written

    assert offered == written
