"""Every URL of Qudao: the shell, each context's pages, the portal and the API."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from qudao.api.urls import api

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("org/", include("qudao.tenancy.urls")),
    path("parties/", include("qudao.parties.urls")),
    path("catalog/", include("qudao.catalog.urls")),
    path("finance/", include("qudao.finance.urls")),
    path("stock/", include("qudao.inventory.urls")),
    path("purchasing/", include("qudao.purchasing.urls")),
    path("sales/", include("qudao.sales.urls")),
    path("imports/", include("qudao.imports.urls")),
    path("analytics/", include("qudao.analytics.urls")),
    path("portal/", include("qudao.portal.urls")),
    path("", include("qudao.shell.urls")),
]
