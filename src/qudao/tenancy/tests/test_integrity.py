import threading
import time

import pytest
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

from qudao.tenancy.integrity import find_problems, run_integrity_check
from qudao.tenancy.models import IntegrityRun, Membership
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tasks import check_integrity, nightly_integrity_check
from qudao.tenancy.tests.factories import MembershipFactory


def test_a_clean_organization_has_no_problems(org, boss):
    checks, problems = find_problems(org)
    assert checks > 0
    assert problems == []


def test_a_link_into_another_organization_is_found(org, other_org, boss):
    # given: a token of `org` pointing at a membership of `other_org` (no service allows this)
    from qudao.tenancy.models import ApiToken

    with org_scope(other_org):
        stranger = MembershipFactory(org=other_org, role=Role.BOSS)
    ApiToken.unscoped.create(org=org, membership=stranger, name="bad", prefix="x", key_hash="h")

    # when
    run = run_integrity_check(org=org)

    # then
    assert {"check": "tenancy.ApiToken.membership", "rows": 1} in run.problems
    assert not run.is_clean


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_runs_through_a_real_queue_worker():
    # given: two organizations, and a real consumer working the queue in threads
    from qudao.tenancy.tests.factories import OrganizationFactory

    orgs = [OrganizationFactory(), OrganizationFactory()]
    for org in orgs:
        MembershipFactory(org=org, role=Role.BOSS)
    HUEY.flush()
    consumer = Consumer(
        HUEY, workers=2, worker_type="thread", periodic=False, check_worker_health=False
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    consumer._set_signal_handlers = lambda: None  # signals belong to the main thread
    thread.start()
    try:
        # when
        nightly_integrity_check()

        # then: each organization's check was enqueued by the job and run by the worker
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and IntegrityRun.unscoped.count() < 2:
            time.sleep(0.1)
        assert sorted(IntegrityRun.unscoped.values_list("org_id", flat=True)) == sorted(
            o.pk for o in orgs
        )
        assert all(run.is_clean for run in IntegrityRun.unscoped.all())
    finally:
        consumer.stop(graceful=True)
        thread.join(timeout=10)
        HUEY.flush()


def test_the_nightly_job_is_scheduled_at_half_past_two():
    import datetime

    validate = nightly_integrity_check.task_class().validate_datetime
    assert validate(datetime.datetime(2026, 11, 30, 2, 30))
    assert not validate(datetime.datetime(2026, 11, 30, 3, 30))


def test_a_single_check_task_returns_the_number_of_problems(org, boss):
    assert check_integrity.call_local(org.pk) == 0
    assert Membership.objects.filter(org=org).count() == 1


def test_a_registered_context_check_runs_in_the_orgs_scope(org, boss):
    from qudao.tenancy import integrity
    from qudao.tenancy.scoping import current_org

    seen = []

    def ledger_balances(checked_org):
        seen.append((checked_org, current_org()))
        return [integrity.Problem("finance.unbalanced_entries", 2)]

    integrity.register_check("test.ledger", ledger_balances)
    try:
        run = integrity.run_integrity_check(org=org)
    finally:
        integrity._CONTEXT_CHECKS.pop("test.ledger")
    assert seen == [(org, org)]
    assert {"check": "finance.unbalanced_entries", "rows": 2} in run.problems
