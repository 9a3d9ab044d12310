"""The command answers at once: parsing, --help and validate import neither pandas, matplotlib nor scipy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "matplotlib", "scipy")


def _heavy_after(code: str, repo_root: Path) -> list[str]:
    """The heavy modules loaded once ``code`` has run in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo_root / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return [m for m in last.split(",") if m]


def test_importing_the_cli_loads_nothing_heavy(repo_root: Path) -> None:
    assert _heavy_after("import deploysim.cli", repo_root) == []


def test_help_and_validate_load_nothing_heavy(repo_root: Path, shipped_scenario: Path) -> None:
    code = (
        "import contextlib, io\n"
        "from deploysim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    with contextlib.suppress(SystemExit):\n"
        "        main(['--help'])\n"
        f"    assert main(['validate', {str(shipped_scenario)!r}, 'kyrgyzstan-2010']) == 0\n"
        "    assert main(['schema']) == 0"
    )
    assert _heavy_after(code, repo_root) == []


def test_the_package_still_offers_its_whole_api_on_first_use(repo_root: Path) -> None:
    assert "pandas" in _heavy_after("import deploysim\nassert callable(deploysim.run)", repo_root)
