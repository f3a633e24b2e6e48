"""On PostgreSQL, with real threads: two reminder runs that both planned the same reminder
claim it at once; exactly one wins, so the customer gets it once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from qudao.finance import services
from qudao.finance.models import ReminderChannel, ReminderLog, ReminderLogItem
from qudao.finance.reminders.planning import due_reminders
from qudao.finance.services.reminders import _claim
from qudao.finance.tests.factories import posted_invoice
from qudao.parties.tests.factories import CustomerFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_that_planned_the_same_reminder_claim_it_once():
    # given: one invoice due today under a one-step schedule
    assert connection.vendor == "postgresql"
    org = OrganizationFactory()
    with org_scope(org):
        boss = MembershipFactory(org=org, role=Role.BOSS)
        services.save_reminder_schedule(
            org=org,
            actor=boss,
            tier="",
            customer_type="",
            steps=[services.StepData(0, "到期", ReminderChannel.EMAIL, "{customer}")],
        )
        customer = CustomerFactory(org=org)
        posted_invoice(org=org, actor=boss, customer=customer, date=timezone.localdate())
    outcomes: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            with org_scope(org):
                [batch] = due_reminders(today=timezone.localdate())  # both see it unclaimed
                barrier.wait(timeout=10)
                claimed = _claim(org, None, batch) is not None
                with lock:
                    outcomes.append(claimed)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert sorted(outcomes) == [False, True]
    with org_scope(org):
        assert ReminderLog.objects.count() == 1
        assert ReminderLogItem.objects.filter(is_active=True).count() == 1
