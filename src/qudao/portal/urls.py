from django.urls import path

from qudao.portal import accounts, consignment, views

urlpatterns = [
    path("", views.home, name="portal-home"),
    *views.statement_urlpatterns,
    *consignment.urlpatterns,
    *accounts.urlpatterns,
]
