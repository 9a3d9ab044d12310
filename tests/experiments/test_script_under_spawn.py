"""The README's script example runs under spawn, as on macOS and Windows: its workers import the
script again, and the ``__main__`` guard keeps them from running it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from deploysim.experiments import runner

SHORT = 'reps=4, workers=2, changes={"horizon": "60 d"}'  # a few seconds: two workers, a short horizon


def _readme_script(repo_root: Path) -> str:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In a script", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert match, "the README's 'In a script' section has no python block"
    return match.group(1)


def test_the_readme_script_runs_on_two_spawned_workers(tmp_path: Path, repo_root: Path) -> None:
    script = _readme_script(repo_root)
    assert 'if __name__ == "__main__":' in script
    assert script.count("reps=200") == 1, "the test shortens the example's reps=200: keep it in the README"
    (tmp_path / "plan.py").write_text(script.replace("reps=200", SHORT), encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg", runner.START_METHOD_VARIABLE: "spawn"}
    env["PYTHONPATH"] = os.pathsep.join([str(repo_root / "src"), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, "plan.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "cannot start worker processes" not in proc.stderr  # the workers did start, by spawn
    assert "Traceback" not in proc.stderr
    assert "foc_day" in proc.stdout, proc.stdout[:500]  # the summary was printed
