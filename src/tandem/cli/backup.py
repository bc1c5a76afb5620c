"""``tandem backup`` and ``tandem restore``: a whole home (DB, market store version, key) in one archive file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tandem.backup import check_integrity, create_backup, restore_backup
from tandem.cli.context import console, settings

PassphraseOption = typer.Option(
    "--passphrase",
    envvar="TANDEM_BACKUP_PASSPHRASE",
    prompt=True,
    hide_input=True,
    help="Encrypts the key file inside the archive (env TANDEM_BACKUP_PASSPHRASE; prompted when absent).",
)


def backup(
    dest: Annotated[Path, typer.Argument(help="Archive file to write (must not exist), e.g. backups/2026-12-07.tar")],
    passphrase: Annotated[str, PassphraseOption],
) -> None:
    """Back up the application DB, the market store's live version, the key (encrypted) and other state."""
    manifest = create_backup(settings(), dest, passphrase=passphrase)
    size = dest.stat().st_size / 1e6
    console.print(
        f"wrote {dest} ({size:,.1f} MB, {len(manifest.files)} files): {manifest.db_kind} database, "
        f"market version {manifest.market_version or 'none'}"
    )


def restore(
    archive: Annotated[Path, typer.Argument(help="Archive written by `tandem backup`")],
    passphrase: Annotated[str, PassphraseOption],
) -> None:
    """Restore an archive into a fresh TANDEM_HOME (and empty database), then run the integrity check."""
    s = settings()
    manifest = restore_backup(archive, s, passphrase=passphrase)
    console.print(f"restored {archive} (made {manifest.created_at}) into {s.home}")
    report = check_integrity(s)
    for problem in report.problems:
        console.print(f"[red]problem:[/red] {problem}")
    if not report.ok:
        raise typer.Exit(1)
    console.print(
        f"[green]integrity check passed[/green]: {report.users_checked} users, market {report.market_version}"
    )
