from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from qudao.shell import demo
from qudao.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Load realistic demo data: people, catalog and price lists (deterministic by seed). "
        "`large` is the benchmark data set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when an organization already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Organization.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data already loaded; keeping it.")
                return
            raise CommandError(
                "The database already has organizations. Use a fresh database for demo data "
                "(remove var/qudao.sqlite3 in the embedded mode)."
            )
        size = options["size"]
        with tqdm(
            total=demo.total_steps(size),
            desc=f"demo data ({size})",
            unit="row",
            file=self.stderr,
            dynamic_ncols=True,
        ) as bar:
            org = demo.build(
                size=size,
                seed=options["seed"],
                progress=lambda n, label: (bar.set_postfix_str(label), bar.update(n)),
            )
        spec = demo.SIZES[size]
        self.stdout.write(
            f"{spec.customers:,} customers, {len(demo.BRANDS)} brands, "
            f"{spec.products:,} products, {demo.PRICE_LISTS} price lists."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organization “{org.name}” is ready. Password for every demo login: "
                f"{demo.DEMO_PASSWORD}"
            )
        )
