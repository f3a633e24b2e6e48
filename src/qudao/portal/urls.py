from django.urls import path

from qudao.portal import views

urlpatterns = [
    path("", views.home, name="portal-home"),
]
