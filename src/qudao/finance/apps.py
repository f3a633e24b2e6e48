from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FinanceConfig(AppConfig):
    name = "qudao.finance"
    verbose_name = _("Money: ledger, invoices, payments, credit")

    def ready(self) -> None:
        from qudao.finance.integrity import find_problems
        from qudao.tenancy.events import register_verbs
        from qudao.tenancy.integrity import register_check

        register_check("finance", find_problems)
        register_verbs(
            {
                "statement_issued": pgettext_lazy("event", "Issued a statement of account"),
                "statement_confirmed": pgettext_lazy("event", "Confirmed a statement of account"),
                "statement_disputed": pgettext_lazy("event", "Disputed a statement line"),
                "statement_dispute_resolved": pgettext_lazy(
                    "event", "Resolved a statement dispute"
                ),
                "reminder_schedule_saved": pgettext_lazy("event", "Saved a reminder schedule"),
                "reminder_settings_changed": pgettext_lazy(
                    "event", "Changed where reminders are sent"
                ),
                "reminder_sent": pgettext_lazy("event", "Sent a payment reminder"),
                "reminder_failed": pgettext_lazy("event", "A payment reminder failed"),
                "collection_call": pgettext_lazy("event", "Called about payment"),
                "collection_target_set": pgettext_lazy("event", "Set a collection target"),
                "top_up_requested": pgettext_lazy("event", "Sent a prepayment top-up"),
                "top_up_recorded": pgettext_lazy("event", "Recorded a prepayment top-up"),
                "top_up_approved": pgettext_lazy("event", "Credited a prepayment top-up"),
                "top_up_rejected": pgettext_lazy("event", "Rejected a prepayment top-up"),
                "top_up_withdrawn": pgettext_lazy("event", "Withdrew a prepayment top-up"),
                "refund_paid": pgettext_lazy("event", "Refunded from the prepayment balance"),
                "rebate_granted": pgettext_lazy("event", "Granted a rebate"),
                "rebate_reversed": pgettext_lazy("event", "Reversed a rebate"),
                "rebate_used": pgettext_lazy("event", "Paid by rebate"),
                "payment_released": pgettext_lazy(
                    "event", "Paid money went back to the prepayment balance"
                ),
                "account_settings_changed": pgettext_lazy(
                    "event", "Changed the customer account settings"
                ),
            }
        )
