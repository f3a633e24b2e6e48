from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "qudao.inventory"
    verbose_name = _("Stock: warehouses, moves, on hand")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from qudao.inventory.integrity import find_problems
        from qudao.tenancy.events import register_verbs
        from qudao.tenancy.integrity import register_check

        register_check("inventory", find_problems)
        register_verbs({"reorder_rule_removed": pgettext_lazy("event", "Removed the reorder rule")})
