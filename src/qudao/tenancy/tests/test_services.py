import pytest

from qudao.core.errors import BusinessRuleViolation, PermissionDenied
from qudao.parties.models import Party, PartyKind
from qudao.tenancy import services
from qudao.tenancy.models import ApiToken, Event, Membership, Sequence, User, hash_token
from qudao.tenancy.roles import Role


def test_add_member_creates_the_user_and_records_the_event(org, boss):
    # when
    membership = services.add_member(
        org=org,
        actor=boss,
        new=services.NewMember(
            username="xiaoli",
            display_name="小李",
            role=Role.FINANCE,
            password="a-long-enough-pass-42",
        ),
    )

    # then
    assert (membership.role, membership.user.display_name) == (Role.FINANCE, "小李")
    assert membership.user.check_password("a-long-enough-pass-42")
    assert Event.objects.filter(subject_id=membership.pk, verb="member_added").count() == 1


def test_only_a_boss_may_add_members(org, member):
    finance = member(Role.FINANCE)
    with pytest.raises(PermissionDenied):
        services.add_member(
            org=org,
            actor=finance,
            new=services.NewMember(username="someone", display_name="", role=Role.READONLY),
        )
    assert not User.objects.filter(username="someone").exists()


def test_a_retailer_user_must_be_linked_to_a_customer(org, boss):
    supplier = Party.objects.create(org=org, kind=PartyKind.SUPPLIER, code="S1", name="厂家")
    with pytest.raises(BusinessRuleViolation) as refused:
        services.add_member(
            org=org,
            actor=boss,
            new=services.NewMember(
                username="shop1", display_name="", role=Role.RETAILER, party_id=supplier.pk
            ),
        )
    assert refused.value.code == "party_mismatch"
    assert not User.objects.filter(username="shop1").exists()


def test_a_party_of_another_organization_cannot_be_linked(org, other_org, boss):
    foreign = Party.unscoped.create(
        org=other_org, kind=PartyKind.CUSTOMER, code="C1", name="别家门店", customer_type="retailer"
    )
    with pytest.raises(BusinessRuleViolation) as refused:
        services.add_member(
            org=org,
            actor=boss,
            new=services.NewMember(
                username="shop2", display_name="", role=Role.RETAILER, party_id=foreign.pk
            ),
        )
    assert refused.value.code == "party_mismatch"


def test_a_weak_password_is_refused_and_nothing_is_written(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.add_member(
            org=org,
            actor=boss,
            new=services.NewMember(
                username="weak", display_name="", role=Role.READONLY, password="123"
            ),
        )
    assert refused.value.code == "weak_password"
    assert not User.objects.filter(username="weak").exists()


def test_the_last_boss_cannot_be_demoted_or_suspended(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.change_role(org=org, actor=boss, membership=boss, role=Role.READONLY)
    assert refused.value.code == "last_boss"
    with pytest.raises(BusinessRuleViolation):
        services.set_member_active(org=org, actor=boss, membership=boss, active=False)
    boss.refresh_from_db()
    assert (boss.role, boss.is_active) == (Role.BOSS, True)


def test_a_role_change_is_audited_with_history(org, boss, rep):
    services.change_role(org=org, actor=boss, membership=rep, role=Role.FINANCE)
    rep.refresh_from_db()
    assert rep.role == Role.FINANCE
    assert [h.role for h in rep.history.order_by("history_date")] == [Role.SALES_REP, Role.FINANCE]
    event = Event.objects.get(subject_id=rep.pk, verb="role_changed")
    assert event.data == {"from": Role.SALES_REP, "to": Role.FINANCE}
    assert event.actor == boss


def test_an_api_token_is_stored_only_as_a_hash(org, rep):
    token, raw = services.issue_api_token(org=org, actor=rep, name="ERP 对接")
    assert raw.startswith("qd_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(raw)
    assert raw not in {stored.prefix, stored.key_hash, stored.name}


def test_a_token_needs_a_name(org, rep):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.issue_api_token(org=org, actor=rep, name="   ")
    assert refused.value.code == "name_required"
    assert ApiToken.objects.count() == 0


def test_someone_elses_token_can_only_be_revoked_by_a_boss(org, boss, rep, member):
    token, _raw = services.issue_api_token(org=org, actor=rep, name="script")
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(org=org, actor=member(Role.FINANCE), token=token)
    revoked = services.revoke_api_token(org=org, actor=boss, token=token)
    assert revoked.revoked_at is not None


def test_numbers_are_gapless_per_organization_and_key(org, other_org):
    from qudao.tenancy.scoping import org_scope

    numbers = [services.next_number(org=org, key="SO2026") for _ in range(3)]
    with org_scope(other_org):
        other = services.next_number(org=other_org, key="SO2026")
    assert numbers == ["SO2026-000001", "SO2026-000002", "SO2026-000003"]
    assert other == "SO2026-000001"
    assert Sequence.objects.get(key="SO2026").last == 3


def test_memberships_are_one_per_user_and_org(org, boss):
    with pytest.raises(BusinessRuleViolation) as refused:
        services.add_member(
            org=org,
            actor=boss,
            new=services.NewMember(
                username=boss.user.username, display_name="", role=Role.READONLY
            ),
        )
    assert refused.value.code == "already_member"
    assert Membership.objects.filter(user=boss.user).count() == 1


def test_a_user_can_belong_to_two_organizations(org, other_org, boss):
    second_boss = Membership.objects.create(
        org=other_org, user=User.objects.create(username="b2"), role=Role.BOSS
    )
    services.add_member(
        org=other_org,
        actor=second_boss,
        new=services.NewMember(username=boss.user.username, display_name="", role=Role.FINANCE),
    )
    assert sorted(boss.user.memberships.values_list("org__code", flat=True)) == [
        "other-org",
        "test-org",
    ]


def test_bulk_events_are_written_in_one_insert(org, boss, member, django_assert_num_queries):
    subjects = [member(Role.SALES_REP) for _ in range(5)]
    with django_assert_num_queries(1):
        count = services.record_events(org=org, actor=boss, subjects=subjects, verb="reassigned")
    assert count == 5
    assert sorted(Event.objects.filter(verb="reassigned").values_list("subject_id", flat=True)) == [
        s.pk for s in subjects
    ]
