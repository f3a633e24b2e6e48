"""Payables pages: supplier invoices and credit notes, supplier payments, the supplier's
account, the aging by supplier and what falls due in the next 30 days.

Amounts are costs: reading needs VIEW_COSTS (boss, finance); posting needs POST_FINANCE.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from qudao.catalog.exports import xlsx_response
from qudao.core.errors import BusinessRuleViolation
from qudao.core.forms import show_refusal
from qudao.core.listing import Column, Filter, Listing
from qudao.finance.selectors import ledger_lines
from qudao.parties.models import Party, PartyKind
from qudao.purchasing import access, services
from qudao.purchasing import selectors as purchasing_selectors
from qudao.purchasing.models import GoodsReceipt
from qudao.purchasing.payables import selectors
from qudao.purchasing.payables.forms import (
    AllocationForm,
    BillPaidForm,
    CreditForm,
    InvoiceLineEditForm,
    ReceiptsForm,
    SupplierChoiceForm,
    SupplierInvoiceForm,
    SupplierPaymentForm,
)
from qudao.purchasing.payables.models import (
    SupplierInvoice,
    SupplierInvoiceKind,
    SupplierInvoiceStatus,
    SupplierPayment,
    SupplierPaymentMethod,
)
from qudao.purchasing.services import supplier_payments
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership, Organization

READ = access.SEE_COSTS
POST = access.MANAGE_ORDERS


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _org(request: HttpRequest) -> Organization:
    return request.org  # type: ignore[attr-defined,no-any-return]


def _can_post(request: HttpRequest) -> bool:
    return access.can_manage_orders(_actor(request))


def _list_page(
    request: HttpRequest, listing: Listing, template: str, **extra: object
) -> HttpResponse:  # type: ignore[type-arg]
    context = listing.context() | {"list_url": request.path, "can_post": _can_post(request)}
    template = "shell/_list.html" if request.htmx else template  # type: ignore[attr-defined]
    return render(request, template, context | extra)


# ---------------------------------------------------------------------------------------------
# Supplier invoices


def _invoice_listing(request: HttpRequest) -> Listing[SupplierInvoice]:
    return Listing(
        request=request,
        queryset=selectors.supplier_invoices(),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("supplier", gettext_lazy("Supplier"), "supplier__name"),
            Column("reference", gettext_lazy("Supplier's number"), phone=False),
            Column("date", gettext_lazy("Date"), "date"),
            Column("due_date", gettext_lazy("Due date"), "due_date"),
            Column("status", gettext_lazy("Status"), "status"),
            Column("total", gettext_lazy("Total"), "total", numeric=True),
            Column("open", gettext_lazy("Open"), numeric=True, phone=False),
        ),
        search_fields=("number", "supplier__name", "supplier_reference", "fapiao_number"),
        filters=[
            Filter(
                "supplier",
                gettext_lazy("Supplier"),
                "supplier_id",
                purchasing_selectors.supplier_choices(),
            ),
            Filter("status", gettext_lazy("Status"), "status", SupplierInvoiceStatus.choices),
            Filter("kind", gettext_lazy("Kind"), "kind", SupplierInvoiceKind.choices),
        ],
    )


@member_required(READ)
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        _invoice_listing(request),
        "purchasing/payables/invoice_list.html",
        row_template="purchasing/payables/_invoice_row.html",
        search_placeholder=_("Search by number, supplier or fapiao"),
        export_url=reverse("purchasing-invoice-export"),
    )


@member_required(READ)
def invoice_export(request: HttpRequest) -> HttpResponse:
    rows = _invoice_listing(request).rows()
    return xlsx_response(
        filename="supplier-invoices",
        title=_("Supplier invoices"),
        headers=[
            _("Number"),
            _("Kind"),
            _("Supplier"),
            _("Supplier's number"),
            _("Fapiao number"),
            _("Date"),
            _("Due date"),
            _("Status"),
            _("Amount before tax"),
            _("Tax"),
            _("Total"),
            pgettext("payable", "Paid"),
            _("Credited"),
            _("Open"),
        ],
        rows=(
            (
                i.number,
                i.get_kind_display(),
                i.supplier.name,
                i.supplier_reference,
                i.fapiao_number,
                i.date,
                i.due_date,
                i.get_status_display(),
                i.subtotal,
                i.tax_total,
                i.total,
                i.amount_paid,
                i.amount_credited,
                i.open_amount,
            )
            for i in rows.iterator(chunk_size=2000)
        ),
    )


def _hand_lines(text: str, tax_rate: Decimal) -> list[services.InvoiceLineData]:
    """'description, amount before tax' per line → one-unit lines (freight, services)."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        description, _sep, amount = raw.replace("，", ",").rpartition(",")
        try:
            price = Decimal(amount.strip())
        except InvalidOperation:
            price = Decimal(-1)
        if not description.strip() or price <= 0:
            message = _("Line %(line)s: write “description, amount before tax”.") % {"line": number}
            raise BusinessRuleViolation(
                message, code="invalid_line", fields={"extra_lines": message}
            )
        lines.append(
            services.InvoiceLineData(
                description=description.strip(),
                quantity=Decimal(1),
                unit_price=price,
                tax_rate=tax_rate,
            )
        )
    return lines


@member_required(POST)
def invoice_create(request: HttpRequest) -> HttpResponse:
    """Choose the supplier, then the receipts it bills and any freight typed by hand."""
    chooser = SupplierChoiceForm(request.GET or None)
    if not chooser.is_valid():
        return render(
            request,
            "purchasing/payables/invoice_supplier.html",
            {"form": chooser},
        )
    supplier = get_object_or_404(
        Party, pk=chooser.cleaned_data["supplier"], kind=PartyKind.SUPPLIER
    )
    form = SupplierInvoiceForm(request.POST or None, initial={"date": timezone.localdate()})
    chosen = ReceiptsForm(request.POST or None, supplier=supplier)
    if request.method == "POST" and form.is_valid() and chosen.is_valid():
        data = form.cleaned_data
        try:
            receipts = list(
                GoodsReceipt.objects.filter(
                    pk__in=chosen.cleaned_data["receipts"], supplier=supplier
                )
            )
            lines = services.lines_from_receipts(receipts, tax_rate=data["tax_rate"])
            lines += _hand_lines(data["extra_lines"], data["tax_rate"])
            invoice = services.create_supplier_invoice(
                org=_org(request),
                actor=_actor(request),
                data=services.InvoiceData(
                    supplier_id=supplier.pk,
                    date=data["date"],
                    supplier_reference=data["supplier_reference"],
                    fapiao_number=data["fapiao_number"],
                    fapiao_date=data["fapiao_date"],
                    memo=data["memo"],
                ),
                lines=lines,
            )
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            return redirect("purchasing-invoice-detail", pk=invoice.pk)
    return render(
        request,
        "purchasing/payables/invoice_form.html",
        {"form": form, "chosen": chosen, "supplier": supplier},
    )


@member_required(READ)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(selectors.supplier_invoices(), pk=pk)
    edit_form = InvoiceLineEditForm(request.POST or None)
    if request.method == "POST":
        if not _can_post(request):
            raise PermissionDenied
        if edit_form.is_valid():
            try:
                services.set_supplier_invoice_line(
                    org=_org(request),
                    actor=_actor(request),
                    invoice=invoice,
                    line_id=edit_form.cleaned_data["line"],
                    quantity=edit_form.cleaned_data["quantity"],
                    unit_price=edit_form.cleaned_data["unit_price"],
                )
            except BusinessRuleViolation as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, _("The line was changed."))
        else:
            messages.error(request, _("Enter the quantity and the unit price billed."))
        return redirect("purchasing-invoice-detail", pk=invoice.pk)
    return render(
        request,
        "purchasing/payables/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": selectors.invoice_lines(invoice),
            "warnings": selectors.match_warnings(invoice),
            "allocations": selectors.allocations_of_invoice(invoice),
            "credit_notes": invoice.credit_notes.order_by("pk"),
            "credit_form": CreditForm(),
            "can_post": _can_post(request),
        },
    )


def _invoice_action(request: HttpRequest, pk: int, act: object, done: str) -> HttpResponse:
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    try:
        act(org=_org(request), actor=_actor(request), invoice=invoice)  # type: ignore[operator]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("purchasing-invoice-detail", pk=invoice.pk)


@require_POST
@member_required(POST)
def invoice_post(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_action(
        request, pk, services.post_supplier_invoice, _("The supplier invoice was posted.")
    )


@require_POST
@member_required(POST)
def invoice_discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_action(
        request, pk, services.discard_supplier_invoice, _("The draft was discarded.")
    )


@require_POST
@member_required(POST)
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(SupplierInvoice, pk=pk)
    form = CreditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the invoice is credited."))
        return redirect("purchasing-invoice-detail", pk=invoice.pk)
    try:
        note = services.credit_supplier_invoice(
            org=_org(request),
            actor=_actor(request),
            invoice=invoice,
            reason=form.cleaned_data["reason"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
        return redirect("purchasing-invoice-detail", pk=invoice.pk)
    messages.success(request, _("Credit note %(number)s was posted.") % {"number": note.number})
    return redirect("purchasing-invoice-detail", pk=note.pk)


# ---------------------------------------------------------------------------------------------
# Supplier payments


@member_required(READ)
def payment_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.supplier_payments(),
        columns=(
            Column("number", gettext_lazy("Number"), "number"),
            Column("supplier", gettext_lazy("Supplier"), "supplier__name"),
            Column("date", gettext_lazy("Date"), "date"),
            Column("method", gettext_lazy("Method"), "method", phone=False),
            Column("amount", gettext_lazy("Amount"), "amount", numeric=True),
            Column("unallocated", gettext_lazy("Not allocated"), numeric=True, phone=False),
        ),
        search_fields=("number", "supplier__name", "reference", "bill_number"),
        filters=[
            Filter(
                "supplier",
                gettext_lazy("Supplier"),
                "supplier_id",
                purchasing_selectors.supplier_choices(),
            ),
            Filter("method", gettext_lazy("Method"), "method", SupplierPaymentMethod.choices),
        ],
    )
    return _list_page(
        request,
        listing,
        "purchasing/payables/payment_list.html",
        row_template="purchasing/payables/_payment_row.html",
        search_placeholder=_("Search by number, supplier, reference or bill"),
    )


def _post_payment(request: HttpRequest, form: SupplierPaymentForm) -> tuple[SupplierPayment, bool]:
    data = form.cleaned_data
    if form.endorses_bill:
        return supplier_payments.pay_supplier_with_bill(
            org=_org(request),
            actor=_actor(request),
            data=supplier_payments.BillEndorsementData(
                supplier_id=data["supplier"],
                bill_id=data["bill"],
                date=data["date"],
                amount=data["amount"],
                memo=data["memo"],
                idempotency_key=data["idempotency_key"],
            ),
            auto_allocate=data["allocate"],
        )
    return services.pay_supplier(
        org=_org(request),
        actor=_actor(request),
        data=services.SupplierPaymentData(
            supplier_id=data["supplier"],
            date=data["date"],
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            bill_number=data["bill_number"],
            bill_maturity=data["bill_maturity"],
            memo=data["memo"],
            idempotency_key=data["idempotency_key"],
        ),
        auto_allocate=data["allocate"],
    )


@member_required(POST)
def payment_create(request: HttpRequest) -> HttpResponse:
    """Pay a supplier; `?method=endorsed_bill&bill=<id>` preselects a customer's bill to endorse
    (the action on the bills receivable page)."""
    initial = {"date": timezone.localdate(), "supplier": request.GET.get("supplier", "")}
    if request.GET.get("method") in SupplierPaymentMethod.values:
        initial["method"] = request.GET["method"]
    if request.GET.get("bill", "").isdigit():
        initial["bill"] = request.GET["bill"]
    form = SupplierPaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payment, created = _post_payment(request, form)
        except BusinessRuleViolation as refusal:
            show_refusal(form, refusal)
        else:
            if created:
                messages.success(
                    request, _("Payment %(number)s was posted.") % {"number": payment.number}
                )
            return redirect("purchasing-payment-detail", pk=payment.pk)
    return render(
        request,
        "purchasing/form.html",
        {
            "form": form,
            "title": _("Pay a supplier"),
            "back_url": reverse("purchasing-payment-list"),
            "submit_label": _("Post payment"),
        },
    )


@member_required(READ)
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(selectors.supplier_payments(), pk=pk)
    return render(
        request,
        "purchasing/payables/payment_detail.html",
        {
            "payment": payment,
            "allocations": selectors.allocations_of_payment(payment),
            "form": AllocationForm(supplier_id=payment.supplier_id),
            "bill_form": BillPaidForm(initial={"paid_on": payment.bill_maturity}),
            "can_post": _can_post(request),
            "today": timezone.localdate(),
        },
    )


@require_POST
@member_required(POST)
def payment_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(SupplierPayment, pk=pk)
    parts = None
    if request.POST.get("oldest_first") != "1":
        form = AllocationForm(request.POST, supplier_id=payment.supplier_id)
        if not form.is_valid():
            messages.error(request, _("Choose an open invoice and a positive amount."))
            return redirect("purchasing-payment-detail", pk=payment.pk)
        parts = [
            services.SupplierAllocationPart(
                invoice_id=form.cleaned_data["invoice"], amount=form.cleaned_data["amount"]
            )
        ]
    try:
        allocations = services.allocate_supplier_payment(
            org=_org(request), actor=_actor(request), payment=payment, parts=parts
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        if allocations:
            messages.success(request, _("The payment was allocated."))
        else:
            messages.info(request, _("Nothing was open to allocate to."))
    return redirect("purchasing-payment-detail", pk=payment.pk)


@require_POST
@member_required(POST)
def payment_bill_paid(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(SupplierPayment, pk=pk)
    form = BillPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the day the bank paid the bill."))
        return redirect("purchasing-payment-detail", pk=payment.pk)
    try:
        services.settle_bill(
            org=_org(request),
            actor=_actor(request),
            payment=payment,
            paid_on=form.cleaned_data["paid_on"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The bill is recorded as paid by the bank."))
    return redirect("purchasing-payment-detail", pk=payment.pk)


# ---------------------------------------------------------------------------------------------
# Payables: aging, due soon, the supplier's account


@member_required(READ)
def payables(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due = selectors.due_soon(today)
    return render(
        request,
        "purchasing/payables/payables.html",
        {
            "report": selectors.payables_aging(today),
            "due": due[:200],
            "due_total": selectors.total_open(due),
            "bills": selectors.bills_maturing(today)[:200],
            "today": today,
            "horizon": selectors.DUE_SOON_DAYS,
        },
    )


@member_required(READ)
def payables_export(request: HttpRequest) -> HttpResponse:
    report = selectors.payables_aging(timezone.localdate())
    return xlsx_response(
        filename="payables-aging",
        title=_("Payables aging"),
        headers=[
            _("Code"),
            _("Supplier"),
            *report.labels,
            _("Open"),
            _("Paid, not allocated"),
            _("Net payable"),
        ],
        rows=(
            (row.code, row.name, *row.buckets, row.total, row.unallocated, row.net)
            for row in report.rows
        ),
    )


@member_required(READ)
def supplier_account(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(selectors.suppliers(), pk=pk)
    return render(
        request,
        "purchasing/payables/supplier_account.html",
        {
            "supplier": supplier,
            "balance": selectors.payable_balance(supplier),
            "unallocated": selectors.unallocated_paid(supplier),
            "open_invoices": selectors.open_invoices().filter(supplier=supplier),
            "payments": selectors.supplier_payments()
            .filter(supplier=supplier)
            .order_by("-date", "-pk")[:50],
            "lines": ledger_lines(supplier),
            "can_post": _can_post(request),
        },
    )
