from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "qudao.purchasing"
    verbose_name = _("Purchasing: purchase orders, goods receipts and payables")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from qudao.purchasing.payables.integrity import find_problems
        from qudao.tenancy.events import register_verbs
        from qudao.tenancy.integrity import register_check

        register_check("purchasing", find_problems)

        from qudao.inventory.on_order import register_on_order
        from qudao.purchasing.on_order import open_quantity

        register_on_order("purchasing", open_quantity)

        from qudao.purchasing.payables.accruals import find_problems as grir_problems

        register_check("purchasing.grir", grir_problems)

        from qudao.finance.claims import register_claim_source
        from qudao.purchasing.claim_selectors import open_carrier_claims
        from qudao.purchasing.services.claims import SOURCE_TYPE as CLAIM_SOURCE

        register_claim_source(CLAIM_SOURCE, open_carrier_claims)

        register_verbs(
            {
                "confirmed": pgettext_lazy("event", "Confirmed"),
                "cancelled": pgettext_lazy("event", "Cancelled"),
                "closed": pgettext_lazy("event", "Closed"),
                "prepayment_requested": pgettext_lazy("event", "Requested a prepayment"),
                "prepayment_recorded": pgettext_lazy("event", "Recorded a prepayment"),
                "ready_to_ship": pgettext_lazy("event", "Marked ready to ship"),
                "received": pgettext_lazy("event", "Received goods"),
                "reversed": pgettext_lazy("event", "Reversed"),
                "terms_changed": pgettext_lazy("event", "Changed the purchase terms"),
                "posted": pgettext_lazy("event", "Posted"),
                "discarded": pgettext_lazy("event", "Discarded"),
                "paid": pgettext_lazy("event", "Paid the supplier"),
                "allocated": pgettext_lazy("event", "Allocated"),
                "bill_paid": pgettext_lazy("event", "Bank paid the bill"),
            }
        )
