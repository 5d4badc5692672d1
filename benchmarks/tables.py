"""Write the benchmark tables into the READMEs from ``benchmarks/results/*.json``.

A README marks each table's place with a pair of comments::

    <!-- table:bench_value/steps -->
    ...the table, rewritten by this script...
    <!-- /table -->

where ``bench_value`` names the results file and ``steps`` one of its tables. Every figure
between the markers therefore comes from a file that a benchmark run wrote
(``benchmarks/record.py``); the line under each table says which run.

Run: python benchmarks/tables.py           rewrite the tables in place
     python benchmarks/tables.py --check   exit 1, naming the table, if a README differs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
READMES = [HERE / "README.md", HERE.parent / "README.md"]
BLOCK = re.compile(r"(<!-- table:(?P<key>[\w.]+)/(?P<name>[\w.]+) -->\n)(?P<body>.*?)"
                   r"(<!-- /table -->)", re.S)


def render(results: dict, name: str) -> str:
    """One table of a results file as Markdown, with the run it came from under it."""
    try:
        table = results["tables"][name]
    except KeyError:
        raise KeyError(f"{results['script']}.json has no table {name!r}; it has "
                       f"{sorted(results['tables'])}") from None
    lines = ["| " + " | ".join(table["columns"]) + " |",
             "|" + "---|" * len(table["columns"])]
    lines += ["| " + " | ".join(row) + " |" for row in table["rows"]]
    load = results["machine"].get("load_average_1min")
    loaded = f", load average {load:.1f} at the start" if load is not None else ""
    lines += ["", f"<sub>From `benchmarks/results/{results['script']}.json`: "
                  f"`{results['command']}`, {results['date'][:10]}, "
                  f"{results['machine']['cpus']} CPUs{loaded}.</sub>"]
    return "\n".join(lines) + "\n"


def rewrite(text: str, load: dict[str, dict]) -> str:
    """``text`` with every marked table replaced by the one its results file holds."""
    def replace(match: re.Match) -> str:
        key = match["key"]
        if key not in load:
            path = RESULTS / f"{key}.json"
            if not path.is_file():
                raise FileNotFoundError(f"a README quotes table {key}/{match['name']}, "
                                        f"but {path} does not exist: run benchmarks/{key}.py")
            load[key] = json.loads(path.read_text())
        return match[1] + render(load[key], match["name"]) + match[5]

    return BLOCK.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a README's table differs from its file")
    args = parser.parse_args(argv)
    loaded: dict[str, dict] = {}
    stale = []
    for readme in READMES:
        text = readme.read_text()
        new = rewrite(text, loaded)
        if new == text:
            continue
        if args.check:
            stale.append(readme.name if readme.parent == HERE.parent else
                         f"benchmarks/{readme.name}")
        else:
            readme.write_text(new)
            print(f"rewrote the tables in {readme}")
    if stale:
        print(f"tables out of date with benchmarks/results/ in: {', '.join(stale)}; "
              "run python benchmarks/tables.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
