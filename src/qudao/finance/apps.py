from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "qudao.finance"
    verbose_name = _("Money: ledger, invoices, payments, credit")
