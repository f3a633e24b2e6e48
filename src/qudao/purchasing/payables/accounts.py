"""Which account a supplier payment credits, by method (the accounts are finance's chart).

Prepayments to suppliers are booked on the debit side of accounts payable (allowed by the
enterprise accounting standards where prepayments are few), so no 1123 account is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from qudao.finance.models import BANK, BILLS_PAYABLE, CASH, INPUT_VAT, INVENTORY, PAYABLE
from qudao.purchasing.payables.models import SupplierPaymentMethod

CREDIT_ACCOUNT_OF_METHOD: Final[Mapping[str, str]] = {
    SupplierPaymentMethod.BANK_TRANSFER: BANK,
    SupplierPaymentMethod.CASH: CASH,
    SupplierPaymentMethod.ACCEPTANCE_BILL: BILLS_PAYABLE,  # until the bill is paid at maturity
}

__all__ = [
    "BANK",
    "BILLS_PAYABLE",
    "CREDIT_ACCOUNT_OF_METHOD",
    "INPUT_VAT",
    "INVENTORY",
    "PAYABLE",
]
