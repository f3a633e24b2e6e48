"""Catalog tests read English: the assertions name the English wording of messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from qudao.tenancy.models import Membership


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def login(login: Callable[[Membership], Client]) -> Callable[[Membership], Client]:
    """The root `login`, with the English language cookie set."""

    def make(membership: Membership) -> Client:
        client = login(membership)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
