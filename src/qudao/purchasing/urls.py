from django.urls import path

from qudao.purchasing import claim_views, views
from qudao.purchasing.payables import accrual_views
from qudao.purchasing.payables import views as payables

urlpatterns = [
    path("orders/", views.order_list, name="purchasing-order-list"),
    path("orders/new/", views.order_create, name="purchasing-order-create"),
    path("orders/<int:pk>/", views.order_detail, name="purchasing-order-detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="purchasing-order-edit"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="purchasing-order-confirm"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="purchasing-order-cancel"),
    path("orders/<int:pk>/close/", views.order_close, name="purchasing-order-close"),
    path("orders/<int:pk>/ready/", views.order_ready, name="purchasing-order-ready"),
    path(
        "orders/<int:pk>/prepayment-request/",
        views.order_prepayment_request,
        name="purchasing-order-prepayment-request",
    ),
    path(
        "orders/<int:pk>/prepayments/",
        views.order_prepayment_record,
        name="purchasing-order-prepayment-record",
    ),
    path(
        "orders/<int:order_id>/receive/",
        views.receipt_create_for_order,
        name="purchasing-order-receive",
    ),
    path("receipts/", views.receipt_list, name="purchasing-receipt-list"),
    path("receipts/new/", views.receipt_create, name="purchasing-receipt-create"),
    path("receipts/<int:pk>/", views.receipt_detail, name="purchasing-receipt-detail"),
    path("receipts/<int:pk>/reverse/", views.receipt_reverse, name="purchasing-receipt-reverse"),
]

urlpatterns += [
    path("invoices/", payables.invoice_list, name="purchasing-invoice-list"),
    path("invoices/export/", payables.invoice_export, name="purchasing-invoice-export"),
    path("invoices/new/", payables.invoice_create, name="purchasing-invoice-create"),
    path("invoices/<int:pk>/", payables.invoice_detail, name="purchasing-invoice-detail"),
    path("invoices/<int:pk>/post/", payables.invoice_post, name="purchasing-invoice-post"),
    path("invoices/<int:pk>/discard/", payables.invoice_discard, name="purchasing-invoice-discard"),
    path("invoices/<int:pk>/credit/", payables.invoice_credit, name="purchasing-invoice-credit"),
    path("supplier-payments/", payables.payment_list, name="purchasing-payment-list"),
    path("supplier-payments/new/", payables.payment_create, name="purchasing-payment-create"),
    path("supplier-payments/<int:pk>/", payables.payment_detail, name="purchasing-payment-detail"),
    path(
        "supplier-payments/<int:pk>/allocate/",
        payables.payment_allocate,
        name="purchasing-payment-allocate",
    ),
    path(
        "supplier-payments/<int:pk>/bill-paid/",
        payables.payment_bill_paid,
        name="purchasing-payment-bill-paid",
    ),
    path("payables/", payables.payables, name="purchasing-payables"),
    path(
        "received-not-invoiced/",
        accrual_views.received_not_invoiced_list,
        name="purchasing-received-not-invoiced",
    ),
    path("payables/export/", payables.payables_export, name="purchasing-payables-export"),
    path(
        "payables/suppliers/<int:pk>/",
        payables.supplier_account,
        name="purchasing-supplier-account",
    ),
]

urlpatterns += [
    path("claims/", claim_views.claim_list, name="purchasing-claim-list"),
    path("claims/<int:pk>/", claim_views.claim_detail, name="purchasing-claim-detail"),
    path("claims/<int:pk>/settle/", claim_views.claim_settle, name="purchasing-claim-settle"),
    path("claims/<int:pk>/cancel/", claim_views.claim_cancel, name="purchasing-claim-cancel"),
    path("receipts/<int:pk>/claim/", claim_views.claim_create, name="purchasing-receipt-claim"),
]
