"""Stock reports read from the ledger in set-based SQL: ageing (库龄), slow movers (滞销品) and
reorder suggestions (勤进快销). Each page is a fixed number of queries, whatever its size."""
