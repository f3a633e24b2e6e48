"""One English word, two meanings: the meaning used here carries its own context, so the
Chinese of the other meaning (a stock location's 目标库位, a receipt's 收货) never shows."""

from __future__ import annotations

from django.utils import translation

from qudao.finance.collection_forms import StatementForm
from qudao.purchasing.models import OrderStatus
from qudao.purchasing.payables.forms import SupplierPaymentForm


def test_the_contexted_labels_do_not_take_the_other_meanings_chinese():
    with translation.override("zh-hans"):
        labels = [
            str(StatementForm.base_fields["start"].label),
            str(StatementForm.base_fields["end"].label),
            str(OrderStatus.RECEIVED.label),
            str(SupplierPaymentForm.base_fields["method"].label),
        ]

    assert "来源" not in labels and "目标库位" not in labels
    assert "收货" not in labels and "收款方式" not in labels


def test_in_english_the_words_stay_the_same():
    with translation.override("en"):
        assert str(StatementForm.base_fields["start"].label) == "From"
        assert str(OrderStatus.RECEIVED.label) == "Received"
