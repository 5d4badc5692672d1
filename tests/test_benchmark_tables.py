"""The benchmark tables quoted in the READMEs are the ones the results files hold."""

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_tables():
    spec = importlib.util.spec_from_file_location("bench_tables", BENCHMARKS / "tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tables = load_tables()

RESULTS = {"script": "bench_demo", "command": "python benchmarks/bench_demo.py",
           "date": "2026-12-01T05:00:00+00:00", "machine": {"cpus": 2, "load_average_1min": 3.5},
           "tables": {"main": {"columns": ["case", "time"], "rows": [["a", "1.0 ms"]]}}}


def test_the_readme_tables_match_the_results_files():
    assert tables.main(["--check"]) == 0


def test_a_marked_block_is_replaced_by_the_table_and_the_run_it_came_from():
    text = "before\n<!-- table:bench_demo/main -->\nstale | 9 ms\n<!-- /table -->\nafter\n"
    new = tables.rewrite(text, {"bench_demo": RESULTS})
    assert new.startswith("before\n<!-- table:bench_demo/main -->\n| case | time |\n|---|---|\n")
    assert "| a | 1.0 ms |" in new and "stale" not in new
    assert "`python benchmarks/bench_demo.py`, 2026-12-01, 2 CPUs, load average 3.5" in new
    assert new.endswith("<!-- /table -->\nafter\n")
    assert tables.rewrite(new, {"bench_demo": RESULTS}) == new  # rewriting again: no change


def test_a_table_the_results_file_lacks_is_an_error_naming_both():
    text = "<!-- table:bench_demo/other -->\n<!-- /table -->\n"
    with pytest.raises(KeyError, match="bench_demo.json has no table 'other'.*main"):
        tables.rewrite(text, {"bench_demo": RESULTS})


def test_a_missing_results_file_names_the_script_to_run():
    text = "<!-- table:bench_nothing_here/main -->\n<!-- /table -->\n"
    with pytest.raises(FileNotFoundError, match="run benchmarks/bench_nothing_here.py"):
        tables.rewrite(text, {})
