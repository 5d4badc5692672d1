"""The explorer and the report from a built wheel installed in a clean virtual environment:
the script and style must travel as package data, not only sit in the checkout."""

import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys, viz, nn
from autograd import Value
from pathlib import Path
x = Value(2.0, label="x"); y = (x * x).tanh(); y.backward()
page = viz.explore(y).save("e.html").read_text()
print(viz.__file__)
print(Path(nn.__file__).parent)
assert "Explorer.prototype.show" in page and ".gg-explorer" in page
from importlib import resources
assert "lineChart" in (resources.files("nn") / "static" / "report.js").read_text()
print("ok")
"""


def test_a_wheel_in_a_fresh_venv_saves_a_working_explorer(tmp_path):
    src = tmp_path / "src"  # a copy: building writes build/ and egg-info beside the sources
    src.mkdir()
    for name in ("autograd", "nn", "viz"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(src)], check=True)
    wheel = next(wheels.glob("gategrad-*.whl"))
    env_dir = tmp_path / "venv"
    # System site-packages give numpy and graphviz without a download; the wheel installed
    # into the venv comes first on its path.
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # --ignore-installed: an editable gategrad in the system site-packages (a developer's
    # checkout) would otherwise count as already installed, and the test would import it.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--ignore-installed", str(wheel)], check=True)
    run = tmp_path / "run"
    run.mkdir()
    done = subprocess.run([str(python), "-c", SCRIPT], cwd=run, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    viz_file, nn_dir, ok = done.stdout.split()
    assert viz_file.startswith(str(env_dir)) and nn_dir.startswith(str(env_dir))
    assert ok == "ok" and (run / "e.html").stat().st_size > 10_000
