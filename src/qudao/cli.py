"""The `qudao` console command: Django's management commands with Qudao's settings.

`qudao serve`, `qudao demo`, `qudao migrate`, `qudao worker`, `qudao integrity`, `qudao bench` …
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qudao.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
