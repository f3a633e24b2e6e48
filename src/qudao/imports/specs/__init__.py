"""The registry of import kinds: what each kind's file looks like and how it is checked."""

from __future__ import annotations

from typing import Final

from qudao.imports.specs.base import Column, Problem, Report, Spec, normalize_header
from qudao.imports.specs.catalog import PriceSpec, ProductSpec
from qudao.imports.specs.parties import ContactSpec, CustomerSpec, SupplierSpec

SPECS: Final[dict[str, Spec]] = {
    spec.kind: spec
    for spec in (CustomerSpec(), SupplierSpec(), ContactSpec(), ProductSpec(), PriceSpec())
}

__all__ = ["SPECS", "Column", "Problem", "Report", "Spec", "normalize_header"]
