"""Model packages: the Argos package index, download, install, list and removal (no translation here)."""
