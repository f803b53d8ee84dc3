"""What the wheel carries: the package and its data, the contract's status file, and no editor extension."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_the_view_data_and_leaves_the_editor_extension_out(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("vilkar-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "evaluator/_data/policies/contract/status.yaml" in names
    assert "evaluator/tools/view/lexer.py" in names and "evaluator/lsp/server.py" in names
    assert not [name for name in names if "editors/" in name or name.endswith((".vsix", "package.json"))]
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "evaluator.tools.view.lexer:VilkarLexer" in zipfile.ZipFile(wheel).read(entry_points).decode()
