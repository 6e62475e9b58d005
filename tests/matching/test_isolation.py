"""The engine is plain Python: importing it must not import Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_engine_imports_no_django() -> None:
    script = (
        "import sys, internships.matching, internships.matching.engine;"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('django'))))"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "internships.matching" not in done.stderr
    assert done.stdout.strip() == ""
