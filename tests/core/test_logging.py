import logging

import pytest
import structlog

from tandem.core.logging import configure_logging, mask_text


def test_mask_text_hides_phones_and_ids_but_not_other_numbers() -> None:
    line = "user 13812345678 id 11010519491231002X paid 600519.SH at 1801.00 on 20230201"
    masked = mask_text(line)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "11010519491231002X" not in masked and "1101**********002X" in masked
    assert "600519.SH" in masked and "1801.00" in masked and "20230201" in masked


def test_configured_loggers_never_write_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    structlog.get_logger("t").info("signup", phone="13912345678", note="call 13912345678")
    logging.getLogger("tandem.test").warning("login from %s", "13912345678")
    err = capsys.readouterr()
    out = err.out + err.err
    assert "13912345678" not in out
    assert out.count("139****5678") >= 3


def test_standard_logging_follows_the_current_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """A handler bound to a replaced (and later closed) stream made logging print a traceback with the raw call."""
    import io

    configure_logging("INFO")
    first = io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    logging.getLogger("tandem.test").warning("login from %s", "13912345678")
    first.close()
    second = io.StringIO()
    monkeypatch.setattr("sys.stderr", second)
    configure_logging("INFO")
    logging.getLogger("tandem.test").warning("again from %s", "13912345678")
    text = second.getvalue()
    assert "again from 139****5678" in text
    assert "13912345678" not in text and "Logging error" not in text


def test_loggers_that_do_not_propagate_are_masked_too() -> None:
    """uvicorn configures its loggers with their own handlers and ``propagate=False``: the root never sees them."""
    import io

    configure_logging("INFO")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    uvicorn_logger = logging.getLogger("uvicorn.error.test")
    uvicorn_logger.addHandler(handler)
    uvicorn_logger.propagate = False
    try:
        uvicorn_logger.warning("login from %s", "13912345678")
    finally:
        uvicorn_logger.removeHandler(handler)
        uvicorn_logger.propagate = True
    assert stream.getvalue() == "login from 139****5678\n"


def test_masking_keeps_the_argument_tuple_uvicorn_access_logs_unpack() -> None:
    """uvicorn's access formatter unpacks ``record.args``; collapsing them made every request a logging error."""
    import io

    from uvicorn.logging import AccessFormatter

    configure_logging("INFO")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    access = logging.getLogger("uvicorn.access.test")
    access.addHandler(handler)
    access.propagate = False
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/u/13912345678", "1.1", 200)
        access.warning("id %s", 13912345678)
    finally:
        access.removeHandler(handler)
        access.propagate = True
    lines = stream.getvalue().splitlines()
    assert lines[0] == '127.0.0.1:5000 - "GET /u/139****5678 HTTP/1.1" 200 OK'
    assert "13912345678" not in stream.getvalue()
