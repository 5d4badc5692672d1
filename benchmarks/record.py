"""Where a benchmark's figures go: one JSON file per script under ``benchmarks/results/``.

Each file holds the machine, the date, the versions, every timed run, the medians, and the
tables the READMEs quote, made from those medians by the script that measured them.
``benchmarks/tables.py`` copies the tables into the READMEs, so every figure quoted there
traces to a file written by a run.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """The computer and its load when the run started (the 1-minute load average)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"platform": platform.platform(), "processor": platform.machine(),
            "cpus": os.cpu_count(), "load_average_1min": load}


def versions(packages: list[str]) -> dict[str, str | None]:
    """Python, gategrad's commit, and each named package's installed version (None: absent)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    found["gategrad commit"] = commit
    for name in packages:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def table(columns: list[str], rows: list[list[str]]) -> dict[str, list]:
    """A table as the READMEs show it: column headings and rows of formatted cells."""
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"every row needs {len(columns)} cells: {rows}")
    return {"columns": columns, "rows": rows}


def write(script: str, *, command: str, runs: dict[str, Any], medians: dict[str, Any],
          tables: dict[str, dict[str, list]], packages: list[str],
          notes: str = "") -> Path:
    """Write ``results/<script>.json`` and return its path.

    ``runs`` maps each measurement to every timing taken of it, ``medians`` to the figure
    derived from them, and ``tables`` names each table the READMEs quote (see
    ``tables.py``: a README marks where one goes with ``<!-- table:<script>/<name> -->``).
    """
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{script}.json"
    record = {
        "script": script,
        "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(packages),
        "notes": notes,
        "runs": runs,
        "medians": medians,
        "tables": tables,
    }
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"results written to {path}")
    return path


def command_line() -> str:
    """How this script was run, as a reader would type it."""
    return "python benchmarks/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
