from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qudao.catalog import selectors, services
from qudao.catalog.models import PriceKind
from qudao.catalog.services import PriceDraft, PriceListDraft
from qudao.catalog.tests.factories import ProductFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

START = date(2026, 1, 1)


@st.composite
def non_overlapping_periods(draw: st.DrawFn) -> list[tuple[int, int | None]]:
    """Day offsets (start, end or None for open) of periods that never share a day."""
    starts = sorted(draw(st.sets(st.integers(0, 300), min_size=1, max_size=5)))
    periods: list[tuple[int, int | None]] = []
    for index, start in enumerate(starts):
        if index + 1 < len(starts):
            periods.append((start, draw(st.integers(start, starts[index + 1] - 1))))
        else:
            periods.append((start, draw(st.none() | st.integers(start, start + 60))))
    return periods


class LookupPicksThePeriodContainingTheDay(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(periods=non_overlapping_periods(), day=st.integers(-5, 400))
    def test_lookup(self, periods: list[tuple[int, int | None]], day: int) -> None:
        org = OrganizationFactory()
        with org_scope(org):
            boss = MembershipFactory(org=org, role=Role.BOSS)
            product = ProductFactory()
            for index, (start, end) in enumerate(periods):
                price_list = services.create_price_list(
                    org=org,
                    actor=boss,
                    draft=PriceListDraft(
                        kind=PriceKind.WHOLESALE,
                        name=f"L{index}",
                        valid_from=START + timedelta(days=start),
                        valid_to=None if end is None else START + timedelta(days=end),
                    ),
                )
                services.add_price(
                    org=org,
                    actor=boss,
                    price_list=price_list,
                    price=PriceDraft(product.pk, Decimal(index + 1)),
                )
            expected = next(
                (
                    Decimal(index + 1)
                    for index, (start, end) in enumerate(periods)
                    if start <= day and (end is None or day <= end)
                ),
                None,
            )

            on = START + timedelta(days=day)
            if expected is None:
                with self.assertRaises(BusinessRuleViolation) as refused:
                    selectors.price_for(
                        org=org, customer_id=None, product_id=product.pk, on=on, quantity=Decimal(1)
                    )
                assert refused.exception.code == "no_price"
            else:
                quote = selectors.price_for(
                    org=org, customer_id=None, product_id=product.pk, on=on, quantity=Decimal(1)
                )
                assert quote.unit_price == expected


class OverlappingPeriodsAreAlwaysRefused(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(
        first=st.tuples(st.integers(0, 100), st.integers(0, 100)),
        second=st.tuples(st.integers(0, 100), st.integers(0, 100)),
    )
    def test_overlap(self, first: tuple[int, int], second: tuple[int, int]) -> None:
        (a_start, a_length), (b_start, b_length) = first, second
        a_end, b_end = a_start + a_length, b_start + b_length
        overlaps = a_start <= b_end and b_start <= a_end
        org = OrganizationFactory()
        with org_scope(org):
            boss = MembershipFactory(org=org, role=Role.BOSS)
            product = ProductFactory()
            lists = [
                services.create_price_list(
                    org=org,
                    actor=boss,
                    draft=PriceListDraft(
                        kind=PriceKind.WHOLESALE,
                        name=name,
                        valid_from=START + timedelta(days=start),
                        valid_to=START + timedelta(days=end),
                    ),
                )
                for name, start, end in (("A", a_start, a_end), ("B", b_start, b_end))
            ]
            services.add_price(
                org=org, actor=boss, price_list=lists[0], price=PriceDraft(product.pk, Decimal(1))
            )
            try:
                services.add_price(
                    org=org,
                    actor=boss,
                    price_list=lists[1],
                    price=PriceDraft(product.pk, Decimal(2)),
                )
            except BusinessRuleViolation as refusal:
                assert overlaps and refusal.code == "overlapping_price"
            else:
                assert not overlaps
