from django.urls import path

from qudao.analytics import views

urlpatterns = [
    path("cash-squeeze/", views.cash_squeeze_page, name="analytics-cash-squeeze"),
    path("cash-squeeze/export/", views.cash_squeeze_export, name="analytics-cash-squeeze-export"),
]
