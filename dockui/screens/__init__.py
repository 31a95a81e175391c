"""Textual screens: one generic resource screen driven by specs, plus describe, logs, shell, help."""
