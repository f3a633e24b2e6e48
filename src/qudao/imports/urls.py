from django.urls import path

from qudao.imports import views

urlpatterns = [
    path("", views.job_list, name="imports-job-list"),
    path("new/", views.job_create, name="imports-job-create"),
    path("<int:pk>/", views.job_detail, name="imports-job-detail"),
    path("<int:pk>/apply/", views.job_apply, name="imports-job-apply"),
    path("templates/<slug:kind>/", views.template_download, name="imports-template"),
]
