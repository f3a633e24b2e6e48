"""The credit policy form: each term kind needs only its own number, and a refused form comes
back with the errors on their fields and the input kept."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from qudao.finance.credit import policy_of
from qudao.finance.credit_forms import PolicyForm
from qudao.finance.models import CustomerTerms
from qudao.finance.tests.credit_helpers import give_policy
from qudao.parties.tests.factories import CustomerFactory

D = Decimal

NET_WITHOUT_DUE_DAY = {
    "mode": "credit",
    "credit_limit": "15000.00",
    "term_kind": "net",
    "payment_term_days": "15",
    "due_day": "",
    "overdue_tolerance_days": "",
    "overdue_tolerance_amount": "",
    "on_exceeded": "warn",
    "grade": "A",
}


def test_a_net_term_saves_without_a_due_day_or_tolerance(org, boss, login):
    # given
    customer = CustomerFactory(org=org)

    # when
    response = login(boss).post(
        reverse("finance-credit-policy", args=[customer.pk]), NET_WITHOUT_DUE_DAY
    )

    # then
    assert response.status_code == 302
    policy = policy_of(customer)
    assert (policy.credit_limit, policy.term_kind, policy.payment_term_days, policy.due_day) == (
        D("15000.00"),
        "net",
        15,
        0,
    )
    assert (policy.overdue_tolerance_days, policy.overdue_tolerance_amount) == (0, D("0.00"))


def test_a_fixed_day_term_without_its_day_is_refused_on_the_field_and_keeps_the_input(
    org, boss, login
):
    # given
    customer = CustomerFactory(org=org)

    # when
    response = login(boss).post(
        reverse("finance-credit-policy", args=[customer.pk]),
        NET_WITHOUT_DUE_DAY | {"term_kind": "fixed_day", "payment_term_days": ""},
    )

    # then
    assert response.status_code == 422
    form = response.context["policy_form"]
    assert list(form.errors) == ["due_day"]
    html = response.content.decode()
    assert 'name="credit_limit" id="id_credit_limit" class="form-control" value="15000.00"' in html
    assert 'id="id_due_day" class="form-control is-invalid"' in html
    assert not CustomerTerms.objects.filter(party=customer).exists()


def test_a_day_past_31_is_refused_on_its_field_and_the_policy_is_unchanged(org, boss, login):
    # given
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")

    # when
    response = login(boss).post(
        reverse("finance-credit-policy", args=[customer.pk]),
        NET_WITHOUT_DUE_DAY | {"term_kind": "fixed_day", "due_day": "40"},
    )

    # then
    assert response.status_code == 422
    assert list(response.context["policy_form"].errors) == ["due_day"]
    assert policy_of(customer).credit_limit == D("100.00")


def test_the_form_shows_zero_numbers_as_zero_not_blank(org, boss):
    # given
    customer = CustomerFactory(org=org)
    give_policy(org=org, actor=boss, customer=customer, credit_limit="100.00")

    # when
    form = PolicyForm(initial=PolicyForm.initial_from(policy_of(customer)))

    # then
    assert [form[name].value() for name in ("due_day", "overdue_tolerance_days")] == ["0", "0"]
