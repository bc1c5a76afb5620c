"""The ``tandem`` command: the CLI composition root (settings, store and adapters are chosen here).

Exit codes: 0 success, 2 user error (message on stderr), 1 unexpected failure.
"""

from __future__ import annotations

import os
import sys

import typer

from tandem.cli import accounts as accounts_cmd
from tandem.cli import advisor as advisor_cmd
from tandem.cli import backtest as backtest_cmd
from tandem.cli import backup as backup_cmd
from tandem.cli import data as data_cmd
from tandem.cli import db as db_cmd
from tandem.cli import diagnose as diagnose_cmd
from tandem.cli import engagement as engagement_cmd
from tandem.cli import keys as keys_cmd
from tandem.cli import l2, ops, wealth
from tandem.cli import quote as quote_cmd
from tandem.cli import scheduler as scheduler_cmd
from tandem.cli import serve as serve_cmd
from tandem.core.errors import UserError
from tandem.core.logging import configure_logging

app = typer.Typer(
    name="tandem",
    help="Tandem: A-share market data, diagnosis, retail quant and fund advisory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(accounts_cmd.app, name="accounts")
app.add_typer(data_cmd.app, name="data")
app.add_typer(engagement_cmd.app, name="engagement")
app.add_typer(db_cmd.app, name="db")
app.add_typer(l2.app, name="l2")
app.add_typer(wealth.app, name="wealth")
app.add_typer(ops.app, name="ops")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(advisor_cmd.app, name="advisor")
app.command("quote")(quote_cmd.quote)
app.command("backtest")(backtest_cmd.backtest)
app.command("screen")(backtest_cmd.screen)
app.command("serve")(serve_cmd.serve)
app.command("diagnose")(diagnose_cmd.diagnose)
app.command("backup")(backup_cmd.backup)
app.command("restore")(backup_cmd.restore)
app.command("scheduler")(scheduler_cmd.scheduler)


def main() -> None:
    """Entry point: run the app, mapping user errors to exit code 2 with the message on stderr."""
    configure_logging(os.environ.get("TANDEM_LOG_LEVEL", "WARNING"))
    try:
        rc = app(standalone_mode=False)  # click returns the code of a typer.Exit instead of raising it
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        problems = getattr(exc, "problems", [])
        for p in problems[:50]:
            typer.echo(f"  {p}", err=True)
        if len(problems) > 50:
            typer.echo(f"  … and {len(problems) - 50} more", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
