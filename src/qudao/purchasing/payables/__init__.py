"""Payables (应付): supplier invoices from goods receipts, supplier payments, their allocation,
the supplier sub-ledger, aging and what falls due. Models live in `payables.models` and are
registered through `purchasing.models`."""
