from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from qudao.tenancy.models import Membership


class Command(BaseCommand):
    help = "Serve Qudao (gunicorn) with a task-queue worker beside it; prints the URL and logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("QUDAO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("QUDAO_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start a queue worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self._print_banner(url)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "qudao.settings.base"
            ),
        }
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "qudao", "worker"], env=env))
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "qudao.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        children.append(web)

        def stop(*_args: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                child.wait(timeout=10)

    def _print_banner(self, url: str) -> None:
        line = "=" * 64
        self.stdout.write(line)
        self.stdout.write(f"  Qudao 渠道 is running at {url}")
        self.stdout.write(f"  Data folder: {settings.DATA_DIR}")
        demo = (
            Membership.objects.filter(user__username__startswith="demo-", is_active=True)
            .select_related("user", "org")
            .order_by("org__pk", "role", "user__username")
        )
        if demo.exists():
            from qudao.shell.demo import DEMO_PASSWORD

            self.stdout.write(f"  Demo logins, one per role (password for all: {DEMO_PASSWORD}):")
            seen: set[str] = set()
            for membership in demo:
                if membership.role in seen:
                    continue
                seen.add(membership.role)
                self.stdout.write(
                    f"    {membership.user.username:<18} {membership.get_role_display()}"
                    f" — {membership.org.name}"
                )
        self.stdout.write("  Stop with Ctrl+C.")
        self.stdout.write(line)
        self.stdout.flush()
