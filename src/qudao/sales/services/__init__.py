"""Every change to sales orders and deliveries; views and the API call these."""

from qudao.sales.services.deliveries import (
    cancel_delivery,
    confirm_receipt,
    create_delivery,
    invoice_delivery,
    pending_quantities,
    release_delivery,
    ship_delivery,
)
from qudao.sales.services.orders import (
    LineInput,
    OrderData,
    approve_order,
    cancel_order,
    cancel_rest,
    confirm_by_customer,
    create_order,
    place_order,
    reject_order,
    set_order_lines,
    submit_order,
    update_order,
    who_may_act,
)
from qudao.sales.services.settings import SettingsData, update_settings

__all__ = [
    "LineInput",
    "OrderData",
    "SettingsData",
    "approve_order",
    "cancel_delivery",
    "cancel_order",
    "cancel_rest",
    "confirm_by_customer",
    "confirm_receipt",
    "create_delivery",
    "create_order",
    "invoice_delivery",
    "pending_quantities",
    "place_order",
    "reject_order",
    "release_delivery",
    "set_order_lines",
    "ship_delivery",
    "submit_order",
    "update_order",
    "update_settings",
    "who_may_act",
]
