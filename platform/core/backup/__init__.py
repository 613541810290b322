"""Backups of a one-machine (SQLite) installation: `flask backup create` and `flask backup restore`."""
