"""API endpoints for finance."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["finance"])
