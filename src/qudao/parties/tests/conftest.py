from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from qudao.tenancy.models import Membership


@pytest.fixture
def boss_client(boss: Membership, login: Callable[[Membership], Client]) -> Client:
    return login(boss)


@pytest.fixture
def rep_client(rep: Membership, login: Callable[[Membership], Client]) -> Client:
    return login(rep)
