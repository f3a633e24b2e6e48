"""Every change to the ledger, invoices, payments and customer terms."""

from qudao.finance.services.invoicing import (
    LineData,
    create_invoice,
    credit_invoice,
    discard_invoice,
    post_invoice,
    record_fapiao,
)
from qudao.finance.services.ledger import Posting, ensure_chart, post_entry, reverse_entry
from qudao.finance.services.payments import (
    AllocationPart,
    PaymentData,
    allocate_payment,
    open_invoices,
    plan_allocation,
    receive_payment,
)
from qudao.finance.services.terms import set_terms

__all__ = [
    "AllocationPart",
    "LineData",
    "PaymentData",
    "Posting",
    "allocate_payment",
    "create_invoice",
    "credit_invoice",
    "discard_invoice",
    "ensure_chart",
    "open_invoices",
    "plan_allocation",
    "post_entry",
    "post_invoice",
    "receive_payment",
    "record_fapiao",
    "reverse_entry",
    "set_terms",
]
