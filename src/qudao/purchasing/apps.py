from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "qudao.purchasing"
    verbose_name = _("Purchasing: purchase orders and goods receipts")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from qudao.tenancy.events import register_verbs

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
            }
        )
