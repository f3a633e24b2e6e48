"""`check --deploy` is clean under production settings."""

from __future__ import annotations

import os
import subprocess
import sys


def test_deploy_checks_are_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qudao.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40 + "-with-entropy-9f3b2c",
        "ALLOWED_HOSTS": "qudao.example.com",
        "QUDAO_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests, never in production
    result = subprocess.run(
        [sys.executable, "-m", "qudao", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
