from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "qudao.parties"
    verbose_name = _("Customers and suppliers")
