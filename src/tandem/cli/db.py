"""``tandem db``: application-database migrations (SQLite under the data home, or TANDEM_DATABASE_URL)."""

from __future__ import annotations

import typer

from tandem.cli.context import console, settings
from tandem.migrations.runner import upgrade as run_upgrade

app = typer.Typer(help="Application database migrations.", no_args_is_help=True)


def _masked(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or migrate the application database to the latest schema."""
    s = settings()
    s.home.mkdir(parents=True, exist_ok=True)
    run_upgrade(s.sqlalchemy_url, revision)
    console.print(f"database at {_masked(s.sqlalchemy_url)} is at {revision}")


@app.command("check")
def check() -> None:
    """Check the database (consistency, schema revision), the key against its encrypted data, and the market store."""
    from tandem.backup import check_integrity

    report = check_integrity(settings())
    console.print(
        f"database revision {report.db_revision} (code: {report.head_revision}); {report.users_checked} users' "
        f"encrypted logins checked; market version {report.market_version or 'none'} ({report.market_files} files)"
    )
    for problem in report.problems:
        console.print(f"[red]problem:[/red] {problem}")
    if not report.ok:
        raise typer.Exit(1)
    console.print("[green]integrity check passed[/green]")
