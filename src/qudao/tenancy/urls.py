from django.urls import path

from qudao.tenancy import views

urlpatterns = [
    path("switch/", views.switch_org, name="tenancy-switch-org"),
    path("members/", views.member_list, name="tenancy-member-list"),
    path("members/new/", views.member_add, name="tenancy-member-add"),
    path("members/<int:pk>/", views.member_detail, name="tenancy-member-detail"),
    path("members/<int:pk>/active/", views.member_set_active, name="tenancy-member-set-active"),
    path("members/<int:pk>/role/", views.member_change_role, name="tenancy-member-change-role"),
    path("tokens/", views.token_list, name="tenancy-token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="tenancy-token-revoke"),
    path("activity/", views.activity, name="tenancy-activity"),
]
