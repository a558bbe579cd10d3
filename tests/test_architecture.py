"""The layers of docs/architecture.md, checked: import-linter's contracts (pyproject.toml)
fail the suite when a lower layer imports an upper one or an import cycle appears."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports(cwd):
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("lint-imports is missing: install the dev extras (python3 dev.py install)")
    return subprocess.run(
        [executable, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_every_import_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_layer_importing_an_upper_one_breaks_a_contract(tmp_path):
    # A copy of the code with one forbidden import added: inventory reading lending.
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(".venv", ".git", "media", "*.sqlite3", "node_modules"),
    )
    services = tree / "inventory" / "services.py"
    services.write_text(services.read_text() + "\nfrom lending.models import Loan  # noqa\n")

    result = _lint_imports(tree)

    assert result.returncode != 0
    assert "inventory is not allowed to import lending" in result.stdout
