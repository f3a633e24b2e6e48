import pytest
from django.urls import reverse

from qudao.tenancy.models import ApiToken, Event, Membership, User
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_the_right_password_lands_on_home(client, boss):
    response = client.post(
        "/login/", {"username": boss.user.username, "password": "secret-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert response.status_code == 200


def test_login_with_a_wrong_password_stays_with_a_message(client, boss):
    response = client.post("/login/", {"username": boss.user.username, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_user_without_membership_is_told_so(client, db):
    user = User.objects.create(username="lonely")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "shell/no_membership.html" in [t.name for t in response.templates]


def test_switching_organization_changes_the_scope(org, other_org, boss, login):
    # given: the boss is also a member of a second organization
    MembershipFactory(org=other_org, user=boss.user, role=Role.BOSS)
    client = login(boss)

    # when
    response = client.post(reverse("tenancy-switch-org"), {"org": other_org.pk}, follow=True)

    # then
    assert response.context["membership"].org == other_org
    assert client.session["qudao_org_id"] == other_org.pk


def test_switching_to_an_organization_one_does_not_belong_to_is_refused(
    org, other_org, boss, login
):
    client = login(boss)
    response = client.post(reverse("tenancy-switch-org"), {"org": other_org.pk}, follow=True)
    assert response.context["membership"].org == org
    assert client.session["qudao_org_id"] == org.pk


def test_external_users_land_in_their_portal(member, login):
    retailer = member(Role.RETAILER)
    response = login(retailer).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal-home")


def test_the_member_list_searches_and_paginates(org, boss, member, login):
    for index in range(30):
        member(Role.SALES_REP, user__username=f"rep{index:02d}", user__display_name=f"业务{index}")
    client = login(boss)
    response = client.get(reverse("tenancy-member-list"), {"q": "业务1", "size": 25})
    rows = list(response.context["rows"])
    assert [m.user.display_name for m in rows] == [f"业务{n}" for n in [1, *range(10, 20)]]
    page = client.get(reverse("tenancy-member-list"), {"size": 25, "page": 2}).context["page"]
    assert (page.number, page.paginator.count, len(page.object_list)) == (2, 31, 6)


def test_the_member_list_answers_htmx_with_the_fragment_only(boss, login):
    response = login(boss).get(reverse("tenancy-member-list"), HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "shell/_list.html"


def test_the_member_list_query_count_does_not_grow_with_rows(
    boss, member, login, django_assert_max_num_queries
):
    for _ in range(40):
        member(Role.SALES_REP)
    client = login(boss)
    with django_assert_max_num_queries(14):
        client.get(reverse("tenancy-member-list"), {"size": 50})


def test_adding_a_member_through_the_form(org, boss, login):
    response = login(boss).post(
        reverse("tenancy-member-add"),
        {
            "username": "cashier",
            "display_name": "出纳小王",
            "role": Role.FINANCE,
            "password": "a-long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="cashier").role == Role.FINANCE


def test_a_bad_member_form_changes_nothing(org, boss, login):
    response = login(boss).post(
        reverse("tenancy-member-add"),
        {
            "username": "bad name!",
            "role": Role.RETAILER,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert not User.objects.filter(username="bad name!").exists()


def test_a_token_is_shown_once_and_works(org, rep, login, client):
    page = login(rep).post(reverse("tenancy-token-list"), {"name": "进销存对接"})
    raw = page.context["new_key"]
    assert ApiToken.objects.get().name == "进销存对接"
    again = login(rep).get(reverse("tenancy-token-list"))
    assert raw not in again.content.decode()
    api = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.json()["username"] == rep.user.username


def test_the_activity_log_shows_the_organizations_events(org, other_org, boss, rep, login):
    from qudao.tenancy.services import change_role

    change_role(org=org, actor=boss, membership=rep, role=Role.FINANCE)
    with org_scope(other_org):
        other_boss = MembershipFactory(org=other_org)
        Event.objects.create(
            org=other_org, actor=other_boss, subject_type="x", subject_id=1, verb="elsewhere"
        )
    rows = list(login(boss).get(reverse("tenancy-activity")).context["rows"])
    assert [e.verb for e in rows] == ["role_changed"]


@pytest.mark.parametrize("language, html_lang", [("zh-hans", "zh-hans"), ("en", "en")])
def test_pages_render_in_both_languages(boss, login, language, html_lang):
    client = login(boss)
    client.cookies["django_language"] = language
    response = client.get("/")
    assert f'<html lang="{html_lang}">' in response.content.decode()
