from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "qudao.inventory"
    verbose_name = _("Stock: warehouses, moves, on hand")

    def ready(self) -> None:
        from qudao.inventory.integrity import find_problems
        from qudao.tenancy.integrity import register_check

        register_check("inventory", find_problems)
