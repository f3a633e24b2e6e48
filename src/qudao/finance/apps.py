from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "qudao.finance"
    verbose_name = _("Money: ledger, invoices, payments, credit")

    def ready(self) -> None:
        from qudao.finance.integrity import find_problems
        from qudao.tenancy.integrity import register_check

        register_check("finance", find_problems)
