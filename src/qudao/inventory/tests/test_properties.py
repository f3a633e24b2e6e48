"""Property: whatever valid moves are posted, on hand per product × location is the sum of the
moves, and never below zero; refused batches leave no trace."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from qudao.catalog.tests.factories import ProductFactory
from qudao.core.errors import BusinessRuleViolation
from qudao.inventory.models import StockLevel
from qudao.inventory.selectors import level_mismatches, on_hand_from_moves
from qudao.inventory.services import MoveLine, move_stock
from qudao.inventory.tests.factories import LocationFactory, WarehouseFactory
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope
from qudao.tenancy.tests.factories import MembershipFactory, OrganizationFactory

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("50"), places=3)
ends = st.one_of(st.none(), st.integers(min_value=0, max_value=2))
move = st.tuples(st.integers(min_value=0, max_value=1), quantities, ends, ends)
batches = st.lists(st.lists(move, min_size=1, max_size=3), min_size=1, max_size=12)


class StockFollowsTheLedger(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(batches=batches)
    def test_on_hand_is_the_sum_of_moves_and_never_negative(self, batches):
        org = OrganizationFactory()
        with org_scope(org):
            actor = MembershipFactory(org=org, role=Role.WAREHOUSE)
            first, second = WarehouseFactory(), WarehouseFactory()
            locations = [
                LocationFactory(warehouse=first),
                LocationFactory(warehouse=first),
                LocationFactory(warehouse=second),
            ]
            products = [ProductFactory(), ProductFactory()]
            expected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
            for batch in batches:
                lines = []
                for product_index, quantity, source, target in batch:
                    if source == target:
                        continue
                    lines.append(
                        MoveLine(
                            product_id=products[product_index].pk,
                            quantity=quantity,
                            from_location_id=None if source is None else locations[source].pk,
                            to_location_id=None if target is None else locations[target].pk,
                            unit_cost=Decimal("1.25"),
                        )
                    )
                if not lines:
                    continue
                after = defaultdict(Decimal, expected)
                for line in lines:
                    if line.from_location_id:
                        after[(line.product_id, line.from_location_id)] -= line.quantity
                    if line.to_location_id:
                        after[(line.product_id, line.to_location_id)] += line.quantity
                try:
                    move_stock(org=org, actor=actor, moves=lines, reason="adjustment")
                except BusinessRuleViolation as refusal:
                    assert refusal.code == "insufficient_stock"
                    assert any(value < 0 for value in after.values())
                else:
                    assert all(value >= 0 for value in after.values())
                    expected = after

            levels = {
                (row.product_id, row.location_id): row.on_hand for row in StockLevel.objects.all()
            }
            ledger = on_hand_from_moves()
            for key, value in expected.items():
                assert levels.get(key, Decimal(0)) == value
                assert ledger.get(key, Decimal(0)) == value
            assert all(value >= 0 for value in levels.values())
            assert level_mismatches() == []
