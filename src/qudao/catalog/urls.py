from django.urls import path

from qudao.catalog import views

urlpatterns = [
    path("products/", views.product_list, name="catalog-product-list"),
    path("products/export/", views.product_export, name="catalog-product-export"),
    path("products/new/", views.product_create, name="catalog-product-create"),
    path("products/<int:pk>/", views.product_detail, name="catalog-product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="catalog-product-edit"),
    path("products/<int:pk>/archive/", views.product_archive, name="catalog-product-archive"),
    path("brands/", views.brand_list, name="catalog-brand-list"),
    path("brands/export/", views.brand_export, name="catalog-brand-export"),
    path("brands/new/", views.brand_create, name="catalog-brand-create"),
    path("brands/<int:pk>/edit/", views.brand_edit, name="catalog-brand-edit"),
    path("brands/<int:pk>/archive/", views.brand_archive, name="catalog-brand-archive"),
    path("categories/", views.category_list, name="catalog-category-list"),
    path("categories/new/", views.category_create, name="catalog-category-create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="catalog-category-edit"),
    path("categories/<int:pk>/archive/", views.category_archive, name="catalog-category-archive"),
    path("price-lists/", views.pricelist_list, name="catalog-pricelist-list"),
    path("price-lists/export/", views.pricelist_export, name="catalog-pricelist-export"),
    path("price-lists/new/", views.pricelist_create, name="catalog-pricelist-create"),
    path("price-lists/<int:pk>/", views.pricelist_detail, name="catalog-pricelist-detail"),
    path(
        "price-lists/<int:pk>/export/",
        views.pricelist_items_export,
        name="catalog-pricelist-items-export",
    ),
    path(
        "price-lists/<int:pk>/items/", views.pricelist_add_item, name="catalog-pricelist-add-item"
    ),
    path(
        "price-lists/<int:pk>/prices/",
        views.pricelist_set_price,
        name="catalog-pricelist-set-price",
    ),
    path("price-lists/<int:pk>/rename/", views.pricelist_rename, name="catalog-pricelist-rename"),
    path(
        "price-lists/<int:pk>/archive/", views.pricelist_archive, name="catalog-pricelist-archive"
    ),
    path("price-check/", views.price_check, name="catalog-price-check"),
]
