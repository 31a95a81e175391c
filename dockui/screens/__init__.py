"""Textual screens: one generic resource screen driven by the kinds registry, plus describe, logs, shell, help."""
