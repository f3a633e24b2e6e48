"""Every change in purchasing: supplier terms, purchase orders, prepayments, goods receipts."""

from qudao.purchasing.services.orders import (
    OrderData,
    cancel_order,
    close_order,
    confirm_order,
    create_order,
    mark_ready_to_ship,
    record_prepayment,
    request_prepayment,
    set_order_line,
    set_supplier_terms,
    update_order,
)
from qudao.purchasing.services.receipts import (
    ReceiptLineData,
    SerialData,
    parse_serials,
    post_receipt,
    reverse_receipt,
)

__all__ = [
    "OrderData",
    "ReceiptLineData",
    "SerialData",
    "cancel_order",
    "close_order",
    "confirm_order",
    "create_order",
    "mark_ready_to_ship",
    "parse_serials",
    "post_receipt",
    "record_prepayment",
    "request_prepayment",
    "reverse_receipt",
    "set_order_line",
    "set_supplier_terms",
    "update_order",
]
