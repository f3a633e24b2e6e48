from django.urls import path

from qudao.inventory import views

urlpatterns = [
    path("", views.stock_list, name="inventory-stock-list"),
    path("products/<int:product_id>/", views.product_card, name="inventory-product-card"),
    path("turnover/", views.turnover, name="inventory-turnover"),
    path("ageing/", views.stock_ageing, name="inventory-ageing"),
    path("ageing/export/", views.stock_ageing_export, name="inventory-ageing-export"),
    path("slow-movers/", views.slow_mover_list, name="inventory-slow-movers"),
    path("slow-movers/export/", views.slow_mover_export, name="inventory-slow-mover-export"),
    path("reorder/", views.reorder_list, name="inventory-reorder"),
    path("reorder/export/", views.reorder_export, name="inventory-reorder-export"),
    path("reorder/rules/new/", views.reorder_rule_create, name="inventory-reorder-rule-create"),
    path(
        "reorder/rules/<int:pk>/edit/", views.reorder_rule_edit, name="inventory-reorder-rule-edit"
    ),
    path(
        "reorder/rules/<int:pk>/delete/",
        views.reorder_rule_delete,
        name="inventory-reorder-rule-delete",
    ),
    path("moves/", views.move_list, name="inventory-move-list"),
    path("moves/new/", views.move_create, name="inventory-move-create"),
    path("moves/<int:pk>/reverse/", views.move_reverse, name="inventory-move-reverse"),
    path("warehouses/", views.warehouse_list, name="inventory-warehouse-list"),
    path("warehouses/new/", views.warehouse_create, name="inventory-warehouse-create"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="inventory-warehouse-detail"),
    path("warehouses/<int:pk>/edit/", views.warehouse_edit, name="inventory-warehouse-edit"),
    path(
        "warehouses/<int:pk>/locations/new/",
        views.location_create,
        name="inventory-location-create",
    ),
    path("locations/<int:pk>/edit/", views.location_edit, name="inventory-location-edit"),
    path("locations/<int:pk>/archive/", views.location_archive, name="inventory-location-archive"),
    path("transfers/", views.transfer_list, name="inventory-transfer-list"),
    path("transfers/new/", views.transfer_create, name="inventory-transfer-create"),
    path("transfers/<int:pk>/", views.transfer_detail, name="inventory-transfer-detail"),
    path("transfers/<int:pk>/ship/", views.transfer_ship, name="inventory-transfer-ship"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="inventory-transfer-receive"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="inventory-transfer-cancel"),
    path("counts/", views.count_list, name="inventory-count-list"),
    path("counts/new/", views.count_create, name="inventory-count-create"),
    path("counts/<int:pk>/", views.count_detail, name="inventory-count-detail"),
    path("counts/<int:pk>/post/", views.count_post, name="inventory-count-post"),
    path("counts/<int:pk>/cancel/", views.count_cancel, name="inventory-count-cancel"),
]
