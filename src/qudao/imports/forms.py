from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qudao.imports.models import ImportKind
from qudao.imports.specs import SPECS


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"))
    file = forms.FileField(
        label=_("File"), help_text=_("An .xlsx workbook or a CSV file (UTF-8 or GBK).")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (value, label) for value, label in ImportKind.choices if value in SPECS
        ]
