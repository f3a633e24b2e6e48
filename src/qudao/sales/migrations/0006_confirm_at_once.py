"""PostgreSQL: `qudao_confirm_sales_order`, an order's whole confirmation in one call.

Used by `sales.services.orders.submit_order` when confirming needs no judgement: the order is
a draft of lines, no review step comes first, credit is checked at order, the customer has a
policy of its own that passes with nothing to warn about, and every line's stock is there. It
then does what the Python services do in the same order — lock the order, the customer, then
the stock rows in (product, location) order; add up the customer's credit; reserve credit and
stock; number the order; record the events — and returns the confirmed order.

In every other case it returns no row and writes nothing, and the Python services confirm,
refuse or route the order, with their messages. The rules here must stay a strict subset of
theirs: `sales/tests/test_confirm_at_once.py` runs the same orders both ways and compares
every row written. A change to the credit figures (`finance.credit._FIGURES_SQL`), the policy
decision (`finance.credit.decide`) or the stock allocation (`inventory.services.ledger._take`)
needs a new migration replacing this function.

SQLite has no such function; there the Python services always confirm.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION qudao_confirm_sales_order(
    p_org bigint, p_order bigint, p_actor bigint, p_owner bigint,
    p_today date, p_now timestamptz, p_key text
) RETURNS SETOF sales_salesorder LANGUAGE plpgsql
-- every statement is a lookup by key: plan each once, not on every call
SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    ord sales_salesorder%ROWTYPE;
    cfg sales_salessettings%ROWTYPE;
    pol finance_customerterms%ROWTYPE;
    v_ref text := 'sales_order:' || p_order;
    v_mode text;
    v_products bigint[];
    v_wanted numeric[];
    v_lines integer;
    v_distinct integer;
    v_negative boolean;
    v_confirmed numeric; v_shipped numeric; v_invoiced numeric; v_bills numeric;
    v_unallocated numeric; v_rebate numeric; v_raised numeric; v_beyond numeric;
    v_exposure numeric;
    v_limit numeric;
    v_after numeric;
    l_ids bigint[]; l_products bigint[]; l_locations bigint[]; l_free numeric[];
    u_ids bigint[] := '{}'; u_takes numeric[] := '{}';
    r_products bigint[] := '{}'; r_locations bigint[] := '{}'; r_takes numeric[] := '{}';
    v_left numeric;
    v_take numeric;
    v_free numeric;
    v_number text;
BEGIN
    -- the order, locked; a draft with a total (SalesOrder.status, submit_order)
    SELECT * INTO ord FROM sales_salesorder WHERE id = p_order AND org_id = p_org FOR UPDATE;
    IF NOT FOUND OR ord.status <> 'draft' OR ord.total <= 0 THEN
        RETURN;
    END IF;
    -- no review step first, credit checked at order (sales settings; none saved: reviews on)
    SELECT * INTO cfg FROM sales_salessettings WHERE org_id = p_org;
    IF NOT FOUND OR cfg.order_review OR cfg.finance_review
            OR cfg.credit_control NOT IN ('order', 'both') THEN
        RETURN;
    END IF;
    -- one line per product, none negative (_require_lines, checked_quantity)
    SELECT array_agg(product_id ORDER BY product_id), array_agg(quantity ORDER BY product_id),
           count(*), count(DISTINCT product_id), bool_or(quantity < 0)
      INTO v_products, v_wanted, v_lines, v_distinct, v_negative
      FROM sales_salesorderline WHERE org_id = p_org AND order_id = p_order;
    IF v_lines = 0 OR v_lines <> v_distinct OR v_negative THEN
        RETURN;
    END IF;
    -- the customer, locked before its credit is added up (reserve_credit); a rep's own only
    PERFORM 1 FROM parties_party
     WHERE id = ord.customer_id AND org_id = p_org AND kind = 'customer'
       AND (p_owner IS NULL OR owner_id = p_owner)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- its own policy (a group's default is read by policy_of)
    SELECT * INTO pol FROM finance_customerterms WHERE org_id = p_org AND party_id = ord.customer_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    v_mode := CASE WHEN pol.grade = 'C' THEN 'prepay' ELSE pol.mode END;
    -- the credit figures (finance.credit._FIGURES_SQL, one aggregate per table)
    SELECT COALESCE(SUM(k.amount) FILTER (WHERE k.stage = 'confirmed' AND k.reference <> v_ref), 0),
           COALESCE(SUM(k.amount) FILTER (WHERE k.stage = 'shipped'), 0)
      INTO v_confirmed, v_shipped
      FROM finance_creditcommitment k
     WHERE k.org_id = p_org AND k.customer_id = ord.customer_id;
    SELECT COALESCE(SUM(i.total - i.amount_paid - i.amount_credited), 0),
           COALESCE(SUM(i.total - i.amount_paid - i.amount_credited)
                    FILTER (WHERE i.due_date < p_today - pol.overdue_tolerance_days), 0)
      INTO v_invoiced, v_beyond
      FROM finance_invoice i
     WHERE i.org_id = p_org AND i.customer_id = ord.customer_id AND i.kind = 'invoice'
       AND i.status = 'posted';
    SELECT COALESCE(SUM(p.amount) FILTER (WHERE p.method = 'acceptance_bill'
               AND NOT EXISTS (SELECT 1 FROM finance_billclearing b WHERE b.payment_id = p.id
                 AND (b.kind = 'matured' OR p.bill_maturity < p_today))), 0),
           COALESCE(SUM(p.amount - p.amount_allocated), 0)
      INTO v_bills, v_unallocated
      FROM finance_payment p
     WHERE p.org_id = p_org AND p.customer_id = ord.customer_id;
    SELECT COALESCE(SUM(r.amount), 0) INTO v_rebate
      FROM finance_rebatereservation r
     WHERE r.org_id = p_org AND r.customer_id = ord.customer_id
       AND (r.reference = v_ref OR EXISTS (
         SELECT 1 FROM finance_creditcommitment k
          WHERE k.org_id = r.org_id AND k.reference = r.reference));
    SELECT COALESCE(SUM(x.amount), 0) INTO v_raised
      FROM finance_temporarycreditraise x
     WHERE x.org_id = p_org AND x.customer_id = ord.customer_id AND x.starts_on <= p_today
       AND x.expires_on >= p_today AND x.revoked_at IS NULL;
    v_exposure := round(v_confirmed + v_shipped + v_invoiced + v_bills - v_unallocated
                        - v_rebate, 2);
    v_after := v_exposure + ord.total;
    v_limit := CASE WHEN v_mode = 'prepay' THEN 0 ELSE pol.credit_limit + v_raised END;
    -- passes with nothing to warn about (finance.credit.decide with no problem at all)
    IF v_mode = 'prepay' THEN
        IF v_after > 0 THEN
            RETURN;
        END IF;
    ELSIF v_beyond > pol.overdue_tolerance_amount
            OR (v_mode <> 'cod' AND v_after > v_limit) THEN
        RETURN;
    END IF;
    -- the stock rows, locked in (product, location) order (_lock_warehouse_levels)
    SELECT array_agg(id), array_agg(product_id), array_agg(location_id), array_agg(free)
      INTO l_ids, l_products, l_locations, l_free
      FROM (SELECT s.id, s.product_id, s.location_id, s.on_hand - s.reserved AS free
              FROM inventory_stocklevel s JOIN inventory_location l ON l.id = s.location_id
             WHERE s.org_id = p_org AND s.warehouse_id = ord.warehouse_id
               AND s.product_id = ANY (v_products) AND l.kind = 'internal'
               AND l.archived_at IS NULL
             ORDER BY s.product_id, s.location_id
               FOR UPDATE OF s) locked;
    -- every product whole, taken location by location (_take)
    FOR n IN 1 .. cardinality(v_products) LOOP
        v_left := v_wanted[n];
        v_free := 0;
        FOR m IN 1 .. coalesce(cardinality(l_ids), 0) LOOP
            IF l_products[m] = v_products[n] THEN
                v_free := v_free + l_free[m];
            END IF;
        END LOOP;
        IF v_free < v_left THEN
            RETURN;
        END IF;
        FOR m IN 1 .. coalesce(cardinality(l_ids), 0) LOOP
            EXIT WHEN v_left = 0;
            CONTINUE WHEN l_products[m] <> v_products[n];
            v_take := least(v_left, l_free[m]);
            CONTINUE WHEN v_take <= 0;
            u_ids := u_ids || l_ids[m];
            u_takes := u_takes || v_take;
            r_products := r_products || v_products[n];
            r_locations := r_locations || l_locations[m];
            r_takes := r_takes || v_take;
            v_left := v_left - v_take;
        END LOOP;
    END LOOP;
    -- credit reserved (reserve_credit's commitment)
    INSERT INTO finance_creditcommitment
        (org_id, customer_id, reference, stage, amount, overridden_by_id, updated_at)
    VALUES (p_org, ord.customer_id, v_ref, 'confirmed', ord.total, NULL, p_now)
    ON CONFLICT (org_id, reference, stage) DO UPDATE SET
        customer_id = excluded.customer_id, amount = excluded.amount,
        overridden_by_id = excluded.overridden_by_id, updated_at = excluded.updated_at;
    -- stock reserved (_take's update and reservations)
    IF cardinality(u_ids) > 0 THEN
        UPDATE inventory_stocklevel SET reserved = reserved + u_takes[array_position(u_ids, id)]
         WHERE id = ANY (u_ids);
        INSERT INTO inventory_reservation
            (org_id, product_id, location_id, quantity, reference, actor_id, created_at)
        SELECT p_org, x.product_id, x.location_id, x.take, left(v_ref, 80), p_actor, p_now
          FROM unnest(r_products, r_locations, r_takes) AS x (product_id, location_id, take);
    END IF;
    -- the events: credit reserved (reserve_credit's), then the order confirmed
    INSERT INTO tenancy_event (org_id, actor_id, subject_type, subject_id, verb, reason, data, at)
    VALUES (p_org, NULL, 'parties.party', ord.customer_id, 'credit_reserved', v_ref,
            jsonb_build_object(
                'amount', ord.total::text,
                'limit', round(v_limit, 2)::text,
                'exposure', v_exposure::text,
                'available', round(v_limit - v_exposure, 2)::text,
                'overdue', round(v_beyond, 2)::text,
                'problems', '',
                'warnings', '[]'::jsonb),
            p_now),
           (p_org, p_actor, 'sales.salesorder', p_order, 'confirmed', '',
            jsonb_build_object('total', ord.total::text), p_now);
    -- numbered last: the sequence row stays locked for the shortest time (number_statement)
    INSERT INTO tenancy_sequence (org_id, "key", "last") VALUES (p_org, p_key, 1)
    ON CONFLICT (org_id, "key") DO UPDATE SET "last" = tenancy_sequence."last" + 1
    RETURNING p_key || '-' || lpad("last"::text, greatest(6, length("last"::text)), '0')
      INTO v_number;
    RETURN QUERY
    UPDATE sales_salesorder
       SET status = 'confirmed', number = v_number, submitted_at = p_now,
           confirmed_at = p_now, confirmed_by_id = p_actor
     WHERE id = p_order
    RETURNING *;
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS qudao_confirm_sales_order(bigint, bigint, bigint, bigint, date, timestamptz, text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # no placeholders: %ROWTYPE is SQL


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_claim_receivable"),
        ("finance", "0013_allocation_aging_facts"),
        ("inventory", "0003_reorder_rule"),
        ("parties", "0003_archive_territories_contacts_and_reassignments"),
        ("tenancy", "0002_warehouse_keeper_role_label"),
    ]

    operations = [migrations.RunPython(create, drop)]
