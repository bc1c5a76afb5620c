"""The trigger run pauses the cyclic collector only for its own block and restores it as found."""

from __future__ import annotations

import gc

import pytest

from tandem.engagement.delivery.gcpause import cyclic_gc_paused


def test_collector_is_off_inside_and_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # an outer pause is not ended by an inner one
    finally:
        gc.enable()
