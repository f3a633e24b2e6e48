from django.urls import path

from qudao.finance import views

urlpatterns = [
    path("invoices/", views.invoice_list, name="finance-invoice-list"),
    path("invoices/new/", views.invoice_create, name="finance-invoice-create"),
    path("invoices/<int:pk>/", views.invoice_detail, name="finance-invoice-detail"),
    path("invoices/<int:pk>/print/", views.invoice_print, name="finance-invoice-print"),
    path("invoices/<int:pk>/post/", views.invoice_post, name="finance-invoice-post"),
    path("invoices/<int:pk>/discard/", views.invoice_discard, name="finance-invoice-discard"),
    path("invoices/<int:pk>/fapiao/", views.invoice_fapiao, name="finance-invoice-fapiao"),
    path("invoices/<int:pk>/credit/", views.invoice_credit, name="finance-invoice-credit"),
    path("payments/", views.payment_list, name="finance-payment-list"),
    path("payments/new/", views.payment_create, name="finance-payment-create"),
    path("payments/<int:pk>/", views.payment_detail, name="finance-payment-detail"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="finance-payment-allocate"),
    path("accounts/", views.account_list, name="finance-account-list"),
    path("accounts/<int:pk>/", views.account_detail, name="finance-account-detail"),
    path("accounts/<int:pk>/terms/", views.account_terms, name="finance-account-terms"),
    path("journal/", views.journal_list, name="finance-journal"),
    path("journal/<int:pk>/reverse/", views.journal_reverse, name="finance-journal-reverse"),
    path("aging/", views.aging_report, name="finance-aging"),
    path("aging/export/", views.aging_export, name="finance-aging-export"),
]

# Credit (授信): the pages live in credit_views.py
from qudao.finance import credit_views  # noqa: E402

urlpatterns += credit_views.urlpatterns

# Statements of account (对账单): the pages live in statement_views.py
from qudao.finance import statement_views  # noqa: E402

urlpatterns += statement_views.urlpatterns

# Collection reminders (催款提醒): the pages live in reminder_views.py
from qudao.finance import reminder_views  # noqa: E402

urlpatterns += reminder_views.urlpatterns

# The collection workbench (回款工作台): the pages live in collection_views.py
from qudao.finance import collection_views  # noqa: E402

urlpatterns += collection_views.urlpatterns

# Collection targets (回款目标): the pages live in target_views.py
from qudao.finance import target_views  # noqa: E402

urlpatterns += target_views.urlpatterns

# Bills receivable (承兑汇票): the pages live in bill_views.py
from qudao.finance import bill_views  # noqa: E402

urlpatterns += bill_views.urlpatterns

# Customers' prepayment and rebate accounts: the pages live in account_views.py
from qudao.finance import account_views  # noqa: E402

urlpatterns += account_views.urlpatterns
