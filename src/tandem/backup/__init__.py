"""Backup and restore of a Tandem home: application DB, market store at one version, key material."""

from tandem.backup.archive import BackupError, BackupManifest, create_backup, restore_backup
from tandem.backup.integrity import IntegrityReport, check_integrity

__all__ = [
    "BackupError",
    "BackupManifest",
    "IntegrityReport",
    "check_integrity",
    "create_backup",
    "restore_backup",
]
