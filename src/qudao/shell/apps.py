from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShellConfig(AppConfig):
    name = "qudao.shell"
    verbose_name = _("Application shell")
