"""Nekpijn-assistent: an offline voice assistant for the KNGF neck-pain intake."""

__version__ = "0.1.0"
