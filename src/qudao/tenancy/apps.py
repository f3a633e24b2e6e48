from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "qudao.tenancy"
    verbose_name = _("Organizations and users")

    def ready(self) -> None:
        from simple_history.models import HistoricalRecords
        from simple_history.signals import pre_create_historical_record

        def add_ip_address(sender: object, **kwargs: object) -> None:
            request = getattr(HistoricalRecords.context, "request", None)
            record = kwargs["history_instance"]
            if request is not None and hasattr(record, "ip_address"):
                record.ip_address = request.META.get("REMOTE_ADDR")

        pre_create_historical_record.connect(add_ip_address, weak=False)
