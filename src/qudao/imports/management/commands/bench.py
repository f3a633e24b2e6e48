"""`qudao bench NAME`: run a benchmark at a realistic size and print its figures.

The database is DATABASE_URL when set; otherwise a private PostgreSQL server is started for the
run (or, with --sqlite, a temporary SQLite file). Migrations are run into it first. The last
line printed is one JSON object with the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qudao.devtools.pgserver import private_postgres
from qudao.finance.benchmarks import bench_aging
from qudao.imports.benchmarks import bench_import
from qudao.sales.benchmarks import bench_orders

Benchmark = Callable[..., dict[str, Any]]

# Add a benchmark here: NAME → function(rows=, out=, workdir=) returning its figures.
BENCHMARKS: Final[dict[str, tuple[Benchmark, int]]] = {
    "import": (bench_import, 100_000),
    "aging": (bench_aging, 1_000_000),
    "orders": (bench_orders, 3_200),
}
CHILD_FLAG: Final = "QUDAO_BENCH_CHILD"


class Command(BaseCommand):
    help = "Run a benchmark (" + ", ".join(BENCHMARKS) + ") and print its figures as JSON last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("--rows", type=int, default=0, help="size (default: the benchmark's)")
        parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["name"]
        if os.environ.get(CHILD_FLAG) or (os.environ.get("DATABASE_URL") and not options["sqlite"]):
            self._run(name, options["rows"])
            return
        # The database is chosen before Django starts, so run again with DATABASE_URL set.
        argv = [sys.executable, "-m", "qudao", "bench", name]
        if options["rows"]:
            argv += ["--rows", str(options["rows"])]
        with tempfile.TemporaryDirectory(prefix="qudao-bench-") as folder:
            if options["sqlite"]:
                self._child(argv, f"sqlite:///{Path(folder) / 'bench.sqlite3'}", folder)
            else:
                with private_postgres() as url:
                    self._child(argv, url, folder)

    def _child(self, argv: list[str], url: str, folder: str) -> None:
        env = {**os.environ, "DATABASE_URL": url, CHILD_FLAG: "1", "QUDAO_DATA_DIR": folder}
        done = subprocess.run(argv, env=env, check=False)
        if done.returncode:
            raise CommandError(f"the benchmark failed ({done.returncode})")

    def _run(self, name: str, rows: int) -> None:
        benchmark, default_rows = BENCHMARKS[name]
        self.stdout.write("migrating…")
        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory(prefix="qudao-bench-files-") as folder:
            results = benchmark(
                rows=rows or default_rows, out=self.stdout.write, workdir=Path(folder)
            )
        self.stdout.write(json.dumps(results))
