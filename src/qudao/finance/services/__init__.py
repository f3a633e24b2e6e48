"""Every change to the ledger, invoices, payments, customer terms and credit."""

from qudao.finance.services.credit import (
    PolicyData,
    follow_group_policy,
    grant_temporary_raise,
    override_credit,
    record_open_order,
    release_open_order,
    reserve_credit,
    revoke_temporary_raise,
    set_credit_policy,
    set_group_policy,
)
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
    "PolicyData",
    "Posting",
    "allocate_payment",
    "create_invoice",
    "credit_invoice",
    "discard_invoice",
    "ensure_chart",
    "follow_group_policy",
    "grant_temporary_raise",
    "open_invoices",
    "override_credit",
    "plan_allocation",
    "post_entry",
    "post_invoice",
    "receive_payment",
    "record_open_order",
    "record_fapiao",
    "release_open_order",
    "reserve_credit",
    "reverse_entry",
    "revoke_temporary_raise",
    "set_credit_policy",
    "set_group_policy",
    "set_terms",
]
