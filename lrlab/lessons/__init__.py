"""Notebook-specific helpers: exercise checks and lesson set-ups (one module per notebook)."""
