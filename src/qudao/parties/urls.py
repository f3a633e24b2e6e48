from django.urls import path

from qudao.parties import views


def _party_urls(kind: str, segment: str) -> list:  # type: ignore[type-arg]
    k = {"kind": kind}
    return [
        path(f"{segment}/", views.party_list, k, name=f"parties-{kind}-list"),
        path(f"{segment}/export/", views.party_export, k, name=f"parties-{kind}-export"),
        path(f"{segment}/new/", views.party_create, k, name=f"parties-{kind}-create"),
        path(f"{segment}/<int:pk>/", views.party_detail, k, name=f"parties-{kind}-detail"),
        path(f"{segment}/<int:pk>/edit/", views.party_edit, k, name=f"parties-{kind}-edit"),
        path(
            f"{segment}/<int:pk>/archive/", views.party_archive, k, name=f"parties-{kind}-archive"
        ),
        path(
            f"{segment}/<int:pk>/restore/", views.party_restore, k, name=f"parties-{kind}-restore"
        ),
        path(
            f"{segment}/<int:pk>/contacts/new/",
            views.contact_add,
            k,
            name=f"parties-{kind}-contact-add",
        ),
    ]


urlpatterns = [
    *_party_urls("customer", "customers"),
    *_party_urls("supplier", "suppliers"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="parties-contact-edit"),
    path("contacts/<int:pk>/remove/", views.contact_archive, name="parties-contact-archive"),
    path("territories/", views.territory_list, name="parties-territory-list"),
    path("territories/new/", views.territory_create, name="parties-territory-create"),
    path("territories/<int:pk>/edit/", views.territory_edit, name="parties-territory-edit"),
    path(
        "territories/<int:pk>/archive/", views.territory_archive, name="parties-territory-archive"
    ),
    path("reassign/", views.reassign, name="parties-reassign"),
]
