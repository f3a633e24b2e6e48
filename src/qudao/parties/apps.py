from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "qudao.parties"
    verbose_name = _("Customers and suppliers")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from qudao.tenancy.events import register_verbs

        register_verbs(
            {
                "status_changed": pgettext_lazy("event", "Changed the status"),
                "contact_added": pgettext_lazy("event", "Added a contact"),
                "contact_changed": pgettext_lazy("event", "Changed a contact"),
                "contact_removed": pgettext_lazy("event", "Removed a contact"),
                "customers_reassigned": pgettext_lazy("event", "Moved to another sales rep"),
            }
        )
