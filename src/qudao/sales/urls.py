from django.urls import path

from qudao.sales.views import deliveries, orders, public, rebates, settings

urlpatterns = [
    path("orders/", orders.order_list, name="sales-order-list"),
    path("orders/new/", orders.order_create, name="sales-order-create"),
    path("orders/<int:pk>/", orders.order_detail, name="sales-order-detail"),
    path("orders/<int:pk>/edit/", orders.order_edit, name="sales-order-edit"),
    path("orders/<int:pk>/products/", orders.product_search, name="sales-order-products"),
    path("orders/<int:pk>/submit/", orders.order_submit, name="sales-order-submit"),
    path("orders/<int:pk>/approve/", orders.order_approve, name="sales-order-approve"),
    path("orders/<int:pk>/reject/", orders.order_reject, name="sales-order-reject"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="sales-order-cancel"),
    path("orders/<int:pk>/cancel-rest/", orders.order_cancel_rest, name="sales-order-cancel-rest"),
    path("orders/<int:pk>/deliver/", orders.order_deliver, name="sales-order-deliver"),
    path("orders/<int:pk>/rebate/", rebates.order_rebate, name="sales-order-rebate"),
    path("deliveries/", deliveries.delivery_list, name="sales-delivery-list"),
    path("deliveries/<int:pk>/", deliveries.delivery_detail, name="sales-delivery-detail"),
    path("deliveries/<int:pk>/print/", deliveries.delivery_print, name="sales-delivery-print"),
    path(
        "deliveries/<int:pk>/release/", deliveries.delivery_release, name="sales-delivery-release"
    ),
    path("deliveries/<int:pk>/ship/", deliveries.delivery_ship, name="sales-delivery-ship"),
    path(
        "deliveries/<int:pk>/receipt/", deliveries.delivery_receipt, name="sales-delivery-receipt"
    ),
    path("deliveries/<int:pk>/cancel/", deliveries.delivery_cancel, name="sales-delivery-cancel"),
    path(
        "deliveries/<int:pk>/invoice/", deliveries.delivery_invoice, name="sales-delivery-invoice"
    ),
    path("settings/", settings.sales_settings, name="sales-settings"),
    path("confirm/<str:token>/", public.customer_confirm, name="sales-customer-confirm"),
]

from qudao.sales.views import consignment, damages, returns  # noqa: E402

urlpatterns += [
    path("returns/", returns.return_list, name="sales-return-list"),
    path("returns/<int:pk>/", returns.return_detail, name="sales-return-detail"),
    path("returns/<int:pk>/approve/", returns.return_approve, name="sales-return-approve"),
    path("returns/<int:pk>/reject/", returns.return_reject, name="sales-return-reject"),
    path("returns/<int:pk>/ship/", returns.return_ship, name="sales-return-ship"),
    path("returns/<int:pk>/receive/", returns.return_receive, name="sales-return-receive"),
    path("returns/<int:pk>/credit/", returns.return_credit, name="sales-return-credit"),
    path("deliveries/<int:pk>/return/", returns.return_create, name="sales-return-create"),
    path("damages/", damages.damage_list, name="sales-damage-list"),
    path("damages/<int:pk>/", damages.damage_detail, name="sales-damage-detail"),
    path("damages/<int:pk>/settle/", damages.damage_settle, name="sales-damage-settle"),
    path("damages/<int:pk>/credit/", damages.damage_credit, name="sales-damage-credit"),
    path("deliveries/<int:pk>/damage/", damages.damage_create, name="sales-damage-create"),
    path("consignment/", consignment.consignment_list, name="sales-consignment-list"),
    path("consignment/<int:pk>/", consignment.consignment_detail, name="sales-consignment-detail"),
    path(
        "consignment/<int:pk>/report/",
        consignment.consignment_report,
        name="sales-consignment-report",
    ),
    path(
        "consignment/<int:pk>/upload/",
        consignment.consignment_upload,
        name="sales-consignment-upload",
    ),
    path(
        "consignment/<int:pk>/settle/",
        consignment.consignment_settle,
        name="sales-consignment-settle",
    ),
    path(
        "consignment/<int:pk>/recall/",
        consignment.consignment_recall,
        name="sales-consignment-recall",
    ),
]
