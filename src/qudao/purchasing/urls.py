from django.urls import path

from qudao.purchasing import views

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
