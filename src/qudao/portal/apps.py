from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "qudao.portal"
    verbose_name = _("Portals for retailers and manufacturers")
