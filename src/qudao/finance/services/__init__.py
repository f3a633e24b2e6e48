"""Every change to the ledger, invoices, payments, customer terms, credit and the customers'
prepayment and rebate accounts."""

from qudao.finance.services.accounts import (
    RefundData,
    TopUpData,
    approve_top_up,
    record_top_up,
    refund_prepayment,
    reject_top_up,
    request_top_up,
    set_account_settings,
    withdraw_top_up,
)
from qudao.finance.services.bills import clear_bill
from qudao.finance.services.collections import PromiseData, log_call
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
from qudao.finance.services.rebates import (
    RebateGrantData,
    apply_rebate,
    grant_rebate,
    release_rebate_reservation,
    reserve_rebate,
    reverse_rebate_grant,
)
from qudao.finance.services.reminders import (
    ReminderSettingsData,
    StepData,
    add_suggested_schedule,
    save_reminder_schedule,
    send_due_reminders,
    set_reminder_settings,
)
from qudao.finance.services.settlement import settle_from_prepayments, settle_open_invoices
from qudao.finance.services.statements import (
    confirm_statement,
    dispute_line,
    issue_statement,
    resolve_dispute,
)
from qudao.finance.services.targets import set_collection_target
from qudao.finance.services.terms import set_terms

__all__ = [
    "RebateGrantData",
    "RefundData",
    "TopUpData",
    "apply_rebate",
    "approve_top_up",
    "grant_rebate",
    "record_top_up",
    "refund_prepayment",
    "reject_top_up",
    "release_rebate_reservation",
    "request_top_up",
    "reserve_rebate",
    "reverse_rebate_grant",
    "set_account_settings",
    "settle_from_prepayments",
    "settle_open_invoices",
    "withdraw_top_up",
    "AllocationPart",
    "LineData",
    "PaymentData",
    "PolicyData",
    "PromiseData",
    "Posting",
    "ReminderSettingsData",
    "StepData",
    "add_suggested_schedule",
    "allocate_payment",
    "clear_bill",
    "create_invoice",
    "confirm_statement",
    "credit_invoice",
    "discard_invoice",
    "dispute_line",
    "ensure_chart",
    "follow_group_policy",
    "grant_temporary_raise",
    "issue_statement",
    "log_call",
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
    "resolve_dispute",
    "reverse_entry",
    "revoke_temporary_raise",
    "save_reminder_schedule",
    "send_due_reminders",
    "set_collection_target",
    "set_credit_policy",
    "set_group_policy",
    "set_reminder_settings",
    "set_terms",
]
