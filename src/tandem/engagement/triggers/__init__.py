"""Triggers evaluated as data arrives; each turns new data into typed candidate pushes for the delivery policy.

Inputs are small typed records (:mod:`.records`), never web tables: a client's watchlist and holdings arrive as
:class:`~.records.ClientBook`. Every candidate names its rule (``<trigger>.<kind>/v<n>``) and the events that
caused it (``session:<day>``, ``bar:<code>:<day>``, ``alert:<id>``, ``l2:<code>:<day>:<minute>`` …).
"""
