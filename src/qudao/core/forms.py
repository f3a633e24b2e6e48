"""Form pieces every context uses."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker: its value is always ISO (2026-11-29), whatever the language,
    or the field opens empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
