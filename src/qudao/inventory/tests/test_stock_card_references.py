"""The stock card names a move's document by its number, linked to its page."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from qudao.inventory.services.ledger import MoveLine, Reference, move_stock


def test_a_move_shows_its_documents_number_linked_not_the_internal_reference(
    org, keeper, boss, login, product, shelf, receive
):
    # given
    receive(product, shelf, "5")
    move_stock(
        org=org,
        actor=keeper,
        moves=[MoveLine(product_id=product.pk, quantity=Decimal("2"), from_location_id=shelf.pk)],
        reason="shipment",
        reference=Reference("sales_delivery", 13),
        note="DN2026-000013",
    )

    # when
    html = login(boss).get(reverse("inventory-product-card", args=[product.pk])).content.decode()

    # then
    url = reverse("sales-delivery-detail", args=[13])
    assert f'<a href="{url}">DN2026-000013</a>' in html
    assert "sales_delivery:13" not in html
