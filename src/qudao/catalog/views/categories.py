"""The category tree pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qudao.catalog import selectors, services
from qudao.catalog.forms import (
    CategoryForm,
)
from qudao.catalog.models import Category
from qudao.catalog.views.shared import _show_refusal
from qudao.core.errors import BusinessRuleViolation
from qudao.tenancy.decorators import member_required
from qudao.tenancy.roles import Perm


@member_required(Perm.VIEW_CATALOG)
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/category_list.html",
        {
            "categories": selectors.category_tree(),
            "can_edit": services.can_edit_catalog(request.membership),  # type: ignore[attr-defined]
        },
    )


def _category_form(request: HttpRequest, category: Category | None) -> HttpResponse:
    initial = (
        {"parent": category.parent_id, "code": category.code, "name": category.name}
        if category
        else {"parent": request.GET.get("parent")}
    )
    form = CategoryForm(request.POST or None, initial=initial, category=category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "code": data["code"],
            "name": data["name"],
            "parent_id": data["parent"].pk if data["parent"] else None,
        }
        try:
            if category is None:
                category = services.create_category(
                    org=request.org,
                    actor=request.membership,
                    **values,  # type: ignore[attr-defined]
                )
            else:
                category = services.update_category(
                    org=request.org,
                    actor=request.membership,
                    category=category,
                    **values,  # type: ignore[attr-defined]
                )
        except BusinessRuleViolation as refusal:
            _show_refusal(form, refusal, {})
        else:
            messages.success(request, _("%(category)s was saved.") % {"category": category})
            return redirect("catalog-category-list")
    return render(request, "catalog/category_form.html", {"form": form, "category": category})


@member_required(Perm.EDIT_CATALOG)
def category_create(request: HttpRequest) -> HttpResponse:
    return _category_form(request, None)


@member_required(Perm.EDIT_CATALOG)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_form(request, get_object_or_404(Category, pk=pk))


@require_POST
@member_required(Perm.EDIT_CATALOG)
def category_archive(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    try:
        services.archive_category(org=request.org, actor=request.membership, category=category)  # type: ignore[attr-defined]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(category)s was archived.") % {"category": category})
    return redirect("catalog-category-list")
