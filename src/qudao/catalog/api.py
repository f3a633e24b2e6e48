"""API endpoints for catalog."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["catalog"])
