"""The layers of ARCHITECTURE.md hold (the import contract in pyproject.toml, run by `make test`
as `lint-imports`), and the checker really catches a forbidden import: planted in a copy of the
code, each kind of violation makes it fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import aftersales

PROJECT = Path(aftersales.__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the project's contract over the package found under `source_root`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(PROJECT / "pyproject.toml"), "--no-cache"],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(source_root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_layer():
    result = lint_imports(PROJECT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.fixture
def code_copy(tmp_path) -> Path:
    """The Python files of the package, copied (no templates, static files or translations)."""
    target = tmp_path / "src"
    shutil.copytree(
        PROJECT / "src" / "aftersales",
        target / "aftersales",
        ignore=shutil.ignore_patterns("templates", "static", "locale", "__pycache__", "*.mo", "*.po"),
    )
    return target


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("core/planted.py", "from aftersales.workorders import models\n", "Layers"),  # core knows no domain
        ("notifications/planted.py", "import aftersales.workorders.selectors\n", "Layers"),
        ("customers/planted.py", "from aftersales.workorders.models import WorkOrder\n", "Layers"),
        ("workorders/planted.py", "from aftersales.field import services\n", "Layers"),  # what hangs off it
        ("field/planted.py", "from aftersales.servicing.models import DepotRepair\n", "Layers"),  # siblings
        ("feedback/planted.py", "from aftersales.complaints.models import Complaint\n", "not models"),
        # The SLA app is read through its selectors (R34): its clocks and calendars are no one's models.
        ("complaints/planted.py", "from aftersales.sla.models import SlaClock\n", "never its models"),
        ("field/planted.py", "from aftersales.sla.models import WorkingCalendar\n", "never its models"),
        ("servicing/planted.py", "import aftersales.sla.models\n", "never its models"),
        ("feedback/planted.py", "from aftersales.sla import models\n", "never its models"),
    ],
)
def test_the_checker_flags_a_planted_violation(code_copy, module, planted, contract):
    (code_copy / "aftersales" / module).write_text(planted, encoding="utf-8")

    result = lint_imports(code_copy)

    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken and f"aftersales.{module[:-3].replace('/', '.')}" in broken
