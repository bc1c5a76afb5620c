"""Level-2 engine: tick-by-tick readers, order-book rebuild and verification, capital flow, live streaming.

Modules: ``schema`` (the columnar event schema), ``sources``/``readers``/``snapshots`` (real SSE, HTSC Insight
and SZSE formats, read from zips in place), ``book`` (numba order book with anomaly accounting), ``verify``
(level-by-level check against exchange snapshots), ``thresholds``/``flow``/``flow_live`` (order-level
capital flow), ``live`` (incremental engine; the web layer iterates
``tandem.level2.live.minute_updates(engine, batches)``) and ``redis_stream`` (Redis Streams transport).
"""
