"""Pages for invoices, payments, customer accounts and the journal."""

from __future__ import annotations

import datetime
import tempfile
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, When
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from qudao.core.errors import BusinessRuleViolation
from qudao.core.listing import Column, Filter, Listing
from qudao.finance import aging, credit, selectors, services
from qudao.finance.aging_items import open_invoices_as_of
from qudao.finance.forms import (
    INVOICE_LINE_ROWS,
    FapiaoForm,
    InvoiceForm,
    InvoiceLineForm,
    PaymentForm,
    ReasonForm,
    TermsForm,
)
from qudao.finance.models import (
    CustomerRefund,
    CustomerTerms,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    JournalEntry,
    Payment,
    PaymentMethod,
    RebateEntry,
)
from qudao.finance.services.bills import SOURCE_TYPE as BILL_CLEARING_SOURCE
from qudao.finance.services.rebates import SOURCE as REBATE_SOURCE
from qudao.parties.models import Party
from qudao.parties.selectors import visible_customers
from qudao.tenancy.decorators import member_required
from qudao.tenancy.models import Membership
from qudao.tenancy.permissions import can
from qudao.tenancy.roles import Perm

YES = "yes"


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _render_list(
    request: HttpRequest, listing: Listing, template: str, **extra: object
) -> HttpResponse:  # type: ignore[type-arg]
    context = listing.context() | {"list_url": request.path} | extra
    return render(request, "shell/_list.html" if request.htmx else template, context)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Invoices

INVOICE_COLUMNS = (
    Column("number", gettext_lazy("Number"), "number"),
    Column("kind", gettext_lazy("Kind"), phone=False),
    Column("customer", gettext_lazy("Customer"), "customer__name"),
    Column("date", gettext_lazy("Date"), "date"),
    Column("due", gettext_lazy("Due date"), "due_date", phone=False),
    Column("total", gettext_lazy("Total"), "total", numeric=True),
    Column("open", gettext_lazy("Open"), numeric=True, phone=False),
    Column("status", gettext_lazy("Status"), "status"),
    Column("fapiao", gettext_lazy("Fapiao"), phone=False),
)


@dataclass
class InvoiceListing(Listing[Invoice]):
    """The overdue filter is a question about dates, not a field lookup: applied here."""

    def rows(self) -> QuerySet[Invoice]:
        chosen = self.active_filters
        self.active_filters = {k: v for k, v in chosen.items() if k != "overdue"}
        try:
            rows = super().rows()
        finally:
            self.active_filters = chosen
        if chosen.get("overdue") == YES:
            rows = selectors.overdue(rows, timezone.localdate())
        return rows


@member_required(Perm.VIEW_FINANCE)
def invoice_list(request: HttpRequest) -> HttpResponse:
    listing = InvoiceListing(
        request=request,
        queryset=selectors.visible_invoices(_member(request)),
        columns=INVOICE_COLUMNS,
        search_fields=("number", "customer__name", "customer__code", "fapiao_number"),
        filters=(
            Filter("status", gettext_lazy("Status"), "status", InvoiceStatus.choices),
            Filter("kind", gettext_lazy("Kind"), "kind", InvoiceKind.choices),
            Filter(
                "overdue", gettext_lazy("Overdue"), "pk__isnull", ((YES, gettext_lazy("Overdue")),)
            ),
        ),
        default_sort="-date",
    )
    return _render_list(
        request,
        listing,
        "finance/invoice_list.html",
        row_template="finance/_invoice_row.html",
        search_placeholder=_("Search by number, customer or fapiao"),
        can_post=can(_member(request), Perm.POST_FINANCE),
    )


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    return get_object_or_404(selectors.visible_invoices(_member(request)), pk=pk)


@member_required(Perm.POST_FINANCE)
def invoice_create(request: HttpRequest) -> HttpResponse:
    customers = visible_customers(_member(request))
    form = InvoiceForm(request.POST or None, customers=customers)
    line_forms = [
        InvoiceLineForm(request.POST or None, prefix=f"line{i}") for i in range(INVOICE_LINE_ROWS)
    ]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in line_forms):
        lines = [f.to_line() for f in line_forms if not f.is_blank()]
        customer = customers.filter(pk=form.cleaned_data["customer"]).first()
        try:
            if customer is None:
                raise BusinessRuleViolation(_("Choose a customer."), code="not_a_customer")
            invoice = services.create_invoice(
                org=request.org,  # type: ignore[attr-defined]
                actor=_member(request),
                customer=customer,
                date=form.cleaned_data["date"],
                lines=lines,
                memo=form.cleaned_data["memo"],
            )
        except BusinessRuleViolation as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The draft invoice was saved."))
            return redirect("finance-invoice-detail", pk=invoice.pk)
    return render(request, "finance/invoice_form.html", {"form": form, "line_forms": line_forms})


@member_required(Perm.VIEW_FINANCE)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    member = _member(request)
    return render(
        request,
        "finance/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "postings": list(
                invoice.journal_entry.lines.select_related("account")
                if invoice.journal_entry
                else []
            ),
            "allocations": list(selectors.allocations_of_invoice(invoice)),
            "rebate_entries": list(invoice.rebate_entries.order_by("pk")),
            "credit_notes": list(invoice.credit_notes.order_by("pk")),
            "can_post": can(member, Perm.POST_FINANCE),
            "fapiao_form": FapiaoForm(
                initial={"number": invoice.fapiao_number, "date": invoice.fapiao_date}
            ),
        },
    )


@member_required(Perm.VIEW_FINANCE)
def invoice_print(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    return render(
        request,
        "finance/invoice_print.html",
        {"invoice": invoice, "lines": list(invoice.lines.all()), "organization": request.org},  # type: ignore[attr-defined]
    )


def _act(request: HttpRequest, pk: int, act: object, done: str) -> HttpResponse:
    invoice = _invoice(request, pk)
    try:
        result = act(invoice)  # type: ignore[operator]
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
        return redirect("finance-invoice-detail", pk=invoice.pk)
    messages.success(request, done)
    return redirect("finance-invoice-detail", pk=result.pk)


@require_POST
@member_required(Perm.POST_FINANCE)
def invoice_post(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda invoice: services.post_invoice(
            org=request.org,
            actor=_member(request),
            invoice=invoice,  # type: ignore[attr-defined]
        ),
        _("The invoice was posted."),
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def invoice_discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda invoice: services.discard_invoice(
            org=request.org,
            actor=_member(request),
            invoice=invoice,  # type: ignore[attr-defined]
        ),
        _("The draft was discarded."),
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def invoice_fapiao(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    form = FapiaoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the fapiao number and date."))
        return redirect("finance-invoice-detail", pk=invoice.pk)
    return _act(
        request,
        pk,
        lambda invoice: services.record_fapiao(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            invoice=invoice,
            number=form.cleaned_data["number"],
            date=form.cleaned_data["date"],
        ),
        _("The fapiao was recorded."),
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the invoice is credited."))
        return redirect("finance-invoice-detail", pk=invoice.pk)
    return _act(
        request,
        pk,
        lambda invoice: services.credit_invoice(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            invoice=invoice,
            reason=form.cleaned_data["reason"],
        ),
        _("The credit note was posted."),
    )


# ---------------------------------------------------------------------------------------------
# Payments

PAYMENT_COLUMNS = (
    Column("number", gettext_lazy("Number"), "number"),
    Column("customer", gettext_lazy("Customer"), "customer__name"),
    Column("date", gettext_lazy("Date"), "date"),
    Column("method", gettext_lazy("Method"), "method", phone=False),
    Column("amount", gettext_lazy("Amount"), "amount", numeric=True),
    Column("unallocated", gettext_lazy("Unallocated"), numeric=True, phone=False),
)


@member_required(Perm.VIEW_FINANCE)
def payment_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.visible_payments(_member(request)),
        columns=PAYMENT_COLUMNS,
        search_fields=("number", "customer__name", "customer__code", "reference", "bill_number"),
        filters=(Filter("method", gettext_lazy("Method"), "method", PaymentMethod.choices),),
        default_sort="-date",
    )
    return _render_list(
        request,
        listing,
        "finance/payment_list.html",
        row_template="finance/_payment_row.html",
        search_placeholder=_("Search by number, customer or reference"),
        can_post=can(_member(request), Perm.POST_FINANCE),
    )


@member_required(Perm.POST_FINANCE)
def payment_create(request: HttpRequest) -> HttpResponse:
    customers = visible_customers(_member(request))
    initial = {"idempotency_key": uuid.uuid4().hex, "customer": request.GET.get("customer", "")}
    form = PaymentForm(request.POST or None, customers=customers, initial=initial)
    preview: list[tuple[Invoice, Decimal]] = []
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        if customers.filter(pk=data.customer_id).exists() and "preview" in request.POST:
            invoices = list(services.open_invoices(data.customer_id))
            by_pk = {i.pk: i for i in invoices}
            preview = [
                (by_pk[p.invoice_id], p.amount)
                for p in services.plan_allocation(invoices, data.amount)
            ]
        elif "preview" not in request.POST:
            try:
                if not customers.filter(pk=data.customer_id).exists():
                    raise BusinessRuleViolation(_("Choose a customer."), code="not_a_customer")
                payment, created = services.receive_payment(
                    org=request.org,  # type: ignore[attr-defined]
                    actor=_member(request),
                    data=data,
                    auto_allocate=form.cleaned_data["allocate"],
                )
            except BusinessRuleViolation as refusal:
                for field, message in refusal.fields.items():
                    if field in form.fields:
                        form.add_error(field, message)
                form.add_error(None, refusal.message)
            else:
                if created:
                    messages.success(request, _("The payment was recorded."))
                return redirect("finance-payment-detail", pk=payment.pk)
    return render(request, "finance/payment_form.html", {"form": form, "preview": preview})


def _payment(request: HttpRequest, pk: int) -> Payment:
    return get_object_or_404(selectors.visible_payments(_member(request)), pk=pk)


@member_required(Perm.VIEW_FINANCE)
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    return render(
        request,
        "finance/payment_detail.html",
        {
            "payment": payment,
            "allocations": list(
                payment.allocations.select_related("invoice", "credit_note").order_by("pk")
            ),
            "refund_parts": list(payment.refund_parts.select_related("refund").order_by("pk")),
            "postings": list(
                payment.journal_entry.lines.select_related("account")
                if payment.journal_entry
                else []
            ),
            "open_invoices": list(services.open_invoices(payment.customer_id)),
            "can_post": can(_member(request), Perm.POST_FINANCE),
        },
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def payment_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate to the chosen invoice the amount entered, or oldest first the amount entered
    (empty: all that is left); an amount more than is left is refused, nothing written."""
    payment = _payment(request, pk)
    parts = None
    invoice_id = request.POST.get("invoice", "")
    raw_amount = request.POST.get("amount", "").strip()
    try:
        try:
            amount = Decimal(raw_amount) if raw_amount else None
            if amount is not None and not amount.is_finite():
                raise ValueError(raw_amount)
            if invoice_id and amount is not None:
                parts = [services.AllocationPart(int(invoice_id), amount)]
            elif invoice_id:
                raise ValueError(invoice_id)
        except (ValueError, ArithmeticError) as invalid:
            raise BusinessRuleViolation(
                _("Enter an invoice and an amount."), code="invalid_amount"
            ) from invalid
        services.allocate_payment(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            payment=payment,
            parts=parts,
            amount=None if parts else amount,
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The payment was allocated."))
    return redirect("finance-payment-detail", pk=payment.pk)


# ---------------------------------------------------------------------------------------------
# Customer accounts

ACCOUNT_COLUMNS = (
    Column("code", gettext_lazy("Code"), "code"),
    Column("name", gettext_lazy("Customer"), "name"),
    Column("balance", gettext_lazy("Balance"), "balance", numeric=True),
    Column("open", gettext_lazy("Open invoices"), "open_total", numeric=True, phone=False),
    Column("unallocated", gettext_lazy("Prepayment balance"), "unallocated", numeric=True),
    Column("rebate", gettext_lazy("Rebate balance"), "rebate", numeric=True, phone=False),
)


@member_required(Perm.VIEW_FINANCE)
def account_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=selectors.customer_accounts(_member(request)),
        columns=ACCOUNT_COLUMNS,
        search_fields=("code", "name"),
        default_sort="code",
    )
    return _render_list(
        request,
        listing,
        "finance/account_list.html",
        row_template="finance/_account_row.html",
        search_placeholder=_("Search by code or name"),
    )


def _as_of(request: HttpRequest) -> datetime.date | None:
    """The `as_of` date asked for (from the aging report); None when absent or invalid."""
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", "").strip())
    except ValueError:
        return None


@member_required(Perm.VIEW_FINANCE)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(visible_customers(_member(request)), pk=pk)
    terms = CustomerTerms.objects.filter(party=customer).first()
    # the policy in force: the customer's own, else its group's default (with where it came from)
    policy = credit.policy_of(customer)
    as_of = _as_of(request)
    from qudao.finance.account_views import account_context  # its pages, its context

    return render(
        request,
        "finance/account_detail.html",
        account_context(request, customer)
        | {
            "customer": customer,
            "balance": selectors.party_balance(customer),
            "unallocated": selectors.unallocated_amount(customer),
            # from the aging report: what was open on its date (the report's row, invoice by
            # invoice); otherwise what is open now
            "as_of": as_of,
            "open_invoices": list(
                open_invoices_as_of(customer, as_of)
                if as_of
                else services.open_invoices(customer.pk)
            ),
            "lines": list(selectors.ledger_lines(customer)),
            "terms": terms,
            "policy": policy,
            "can_manage_credit": can(_member(request), Perm.MANAGE_CREDIT),
            # strings: the form template shows a falsy 0 as empty
            "terms_form": TermsForm(
                initial={
                    "payment_term_days": str(policy.payment_term_days),
                    "credit_limit": str(policy.credit_limit),
                }
            ),
        },
    )


@require_POST
@member_required(Perm.MANAGE_CREDIT)
def account_terms(request: HttpRequest, pk: int) -> HttpResponse:
    customer: Party = get_object_or_404(visible_customers(_member(request)), pk=pk)
    form = TermsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a term between 0 and 365 days and a credit limit."))
        return redirect("finance-account-detail", pk=customer.pk)
    try:
        services.set_terms(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            customer=customer,
            payment_term_days=form.cleaned_data["payment_term_days"],
            credit_limit=form.cleaned_data["credit_limit"],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("finance-account-detail", pk=customer.pk)


# ---------------------------------------------------------------------------------------------
# Journal

JOURNAL_COLUMNS = (
    Column("number", gettext_lazy("Number"), "number"),
    Column("date", gettext_lazy("Date"), "date"),
    Column("memo", gettext_lazy("Memo"), "memo"),
    Column("amount", gettext_lazy("Amount"), "amount", numeric=True),
    Column("source", gettext_lazy("Source"), phone=False),
    Column("actions", "", phone=False),
)


@dataclass(frozen=True)
class SourcePage:
    """Where a journal entry's source document (来源单据) is shown. `by_customer`: a document
    without a page of its own (a refund, a rebate account movement) is shown on its
    customer's account page."""

    label: Promise
    url_name: str
    by_customer: bool = False


# Every `source_type` an entry is posted with (the contexts above finance name theirs by URL
# name only: finance never imports them); a test walks every `post_entry` call to keep it whole.
JOURNAL_SOURCES: Final[dict[str, SourcePage]] = {
    "finance.invoice": SourcePage(gettext_lazy("Invoice"), "finance-invoice-detail"),
    "finance.payment": SourcePage(gettext_lazy("Payment"), "finance-payment-detail"),
    BILL_CLEARING_SOURCE: SourcePage(gettext_lazy("Bill receivable"), "finance-bill-detail"),
    REBATE_SOURCE: SourcePage(gettext_lazy("Rebate"), "finance-account-detail", by_customer=True),
    "finance.refund": SourcePage(
        gettext_lazy("Refund"), "finance-account-detail", by_customer=True
    ),
    "purchasing.supplier_invoice": SourcePage(
        gettext_lazy("Supplier invoice"), "purchasing-invoice-detail"
    ),
    "purchasing.supplier_payment": SourcePage(
        gettext_lazy("Supplier payment"), "purchasing-payment-detail"
    ),
    "purchasing.goods_receipt": SourcePage(
        gettext_lazy("Goods receipt"), "purchasing-receipt-detail"
    ),
    "purchasing.receipt_claim": SourcePage(
        gettext_lazy("Receipt claim"), "purchasing-claim-detail"
    ),
    "sales.damage_claim": SourcePage(gettext_lazy("Damage claim"), "sales-damage-detail"),
}
# the documents shown on their customer's page, and the model that names that customer
_CUSTOMER_OF_SOURCE: Final = {"finance.refund": CustomerRefund, REBATE_SOURCE: RebateEntry}


@dataclass(frozen=True)
class SourceLink:
    label: str
    url: str


def source_link(
    source_type: str, source_id: int | None, customer_id: int | None = None
) -> SourceLink | None:
    """The link to an entry's source document; None for a manual entry (or a document whose
    customer is unknown)."""
    page = JOURNAL_SOURCES.get(source_type)
    pk = customer_id if page is not None and page.by_customer else source_id
    if page is None or pk is None:
        return None
    return SourceLink(str(page.label), reverse(page.url_name, args=[pk]))


def _with_source_customer(entries: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
    """Add `source_customer_id` for the documents shown on their customer's page (a subquery
    in the page's one query, not a query per row)."""
    return entries.annotate(
        source_customer_id=Case(
            *(
                When(
                    source_type=source_type,
                    then=Subquery(
                        model.objects.filter(pk=OuterRef("source_id")).values("customer_id")[:1]
                    ),
                )
                for source_type, model in _CUSTOMER_OF_SOURCE.items()
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


@member_required(Perm.POST_FINANCE)
def journal_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        request=request,
        queryset=_with_source_customer(selectors.journal_entries()),
        columns=JOURNAL_COLUMNS,
        search_fields=("number", "memo"),
        default_sort="-date",
    )
    context = listing.context()
    page = context["page"]
    page.object_list = list(page.object_list)  # type: ignore[attr-defined]
    for entry in page.object_list:  # type: ignore[attr-defined]
        entry.source_link = source_link(
            entry.source_type, entry.source_id, entry.source_customer_id
        )
    context["rows"] = page.object_list  # type: ignore[attr-defined]
    template = "shell/_list.html" if request.htmx else "finance/journal_list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        context
        | {
            "list_url": request.path,
            "row_template": "finance/_journal_row.html",
            "search_placeholder": _("Search by number or memo"),
        },
    )


@require_POST
@member_required(Perm.POST_FINANCE)
def journal_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(JournalEntry, pk=pk)
    try:
        reversal = services.reverse_entry(
            org=request.org,  # type: ignore[attr-defined]
            actor=_member(request),
            entry=entry,
            reason=request.POST.get("reason", "")[:200],
        )
    except BusinessRuleViolation as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Entry %(number)s was reversed.") % {"number": entry.number})
        return redirect(f"{reverse('finance-journal')}?q={reversal.number}")
    return redirect("finance-journal")


# ---------------------------------------------------------------------------------------------
# Aging (账龄)


@dataclass(frozen=True)
class AgingChoice:
    as_of: datetime.date
    group_by: str
    edges: tuple[int, ...]
    error: str = ""


def _aging_choice(request: HttpRequest) -> AgingChoice:
    """The as-of date, grouping and bucket edges asked for; the defaults, with why, if invalid."""
    today = timezone.localdate()
    try:
        raw_date = request.GET.get("as_of", "").strip()
        as_of = datetime.date.fromisoformat(raw_date) if raw_date else today
    except ValueError:
        return AgingChoice(
            today, aging.AgingGroup.CUSTOMER, aging.DEFAULT_EDGES, _("Invalid date.")
        )
    group_by = request.GET.get("group_by") or aging.AgingGroup.CUSTOMER
    if group_by not in aging.AgingGroup.values:
        return AgingChoice(
            as_of, aging.AgingGroup.CUSTOMER, aging.DEFAULT_EDGES, _("Unknown grouping.")
        )
    try:
        edges = aging.parse_edges(request.GET.get("buckets"))
    except ValueError as invalid:
        return AgingChoice(as_of, group_by, aging.DEFAULT_EDGES, str(invalid))
    return AgingChoice(as_of, group_by, edges)


AGING_PAGE_SIZE: Final = 100  # the largest balances first; the export has every row


@member_required(Perm.VIEW_FINANCE)
def aging_report(request: HttpRequest) -> HttpResponse:
    choice = _aging_choice(request)
    report = aging.aging_report(
        _member(request), as_of=choice.as_of, group_by=choice.group_by, edges=choice.edges
    )
    return render(
        request,
        "finance/aging.html",
        {
            "report": report,
            "page": Paginator(report.rows, AGING_PAGE_SIZE).get_page(request.GET.get("page")),
            "error": choice.error,
            "groups": aging.AgingGroup.choices,
            "buckets": ",".join(str(days) for days in report.edges),
            "group_label": aging.AgingGroup(report.group_by).label,
            "query": request.GET.urlencode(),
        },
        status=400 if choice.error else 200,
    )


@member_required(Perm.VIEW_FINANCE)
def aging_export(request: HttpRequest) -> HttpResponse:
    """The report as asked for, as an .xlsx file (written row by row, headers translated)."""
    choice = _aging_choice(request)
    if choice.error:
        return HttpResponse(choice.error, status=400, content_type="text/plain; charset=utf-8")
    report = aging.aging_report(
        _member(request), as_of=choice.as_of, group_by=choice.group_by, edges=choice.edges
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Aging"))
    sheet.append([_("As of"), report.as_of])
    sheet.append(
        [_("Code"), str(aging.AgingGroup(report.group_by).label), *report.labels, _("Total")]
    )
    for row in report.rows:
        sheet.append([row.code, row.name or _("Unassigned"), *row.buckets, row.total])
    sheet.append(["", _("Total"), *report.totals, report.total])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"aging-{report.group_by}-{report.as_of:%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
