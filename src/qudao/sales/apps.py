from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "qudao.sales"
    verbose_name = _("Sales: orders and deliveries")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from qudao.finance.claims import register_claim_source
        from qudao.sales.selectors_returns import open_claims_on_account
        from qudao.sales.services.damages import SOURCE_TYPE as CLAIM_SOURCE
        from qudao.tenancy.events import register_verbs

        register_claim_source(CLAIM_SOURCE, open_claims_on_account)
        register_verbs(
            {
                "submitted": pgettext_lazy("event", "Submitted"),
                "sent_to_customer": pgettext_lazy("event", "Sent to the customer to confirm"),
                "customer_confirmed": pgettext_lazy("event", "Confirmed by the customer"),
                "approved": pgettext_lazy("event", "Approved"),
                "rejected": pgettext_lazy("event", "Sent back"),
                "credit_override": pgettext_lazy("event", "Overrode the credit rule"),
                "released": pgettext_lazy("event", "Released for shipping"),
                "shipped": pgettext_lazy("event", "Shipped"),
                "delivered": pgettext_lazy("event", "Received by the customer"),
                "invoiced": pgettext_lazy("event", "Invoiced"),
                "rest_cancelled": pgettext_lazy("event", "Cancelled the rest"),
                "settings_changed": pgettext_lazy("event", "Changed the sales settings"),
                "return_created": pgettext_lazy("event", "Return recorded"),
                "sent_back": pgettext_lazy("event", "Goods on their way back"),
                "damage_recorded": pgettext_lazy("event", "Damage recorded"),
                "credited": pgettext_lazy("event", "Credit note issued"),
                "credit_held": pgettext_lazy("event", "Credit note held for finance"),
                "written_off": pgettext_lazy("event", "Written off as scrap"),
                "settled": pgettext_lazy("event", "Settled"),
                "recalled": pgettext_lazy("event", "Recalled from consignment"),
                "sell_through_reported": pgettext_lazy("event", "Reported consignment sales"),
                "rebate_set": pgettext_lazy("event", "Set the rebate the order uses"),
            }
        )
