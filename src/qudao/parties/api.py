"""API endpoints for customers, suppliers, contacts and territories."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["parties"])
