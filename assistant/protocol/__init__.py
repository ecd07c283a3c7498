"""The KNGF neck-pain guideline as data (nekpijn.toml) and pure rules."""

from assistant.protocol.findings import Findings, FindingsError, parse_findings
from assistant.protocol.loader import load_protocol
from assistant.protocol.rules import Result, classify
from assistant.protocol.tables import ProtocolError

__all__ = [
    "Findings",
    "FindingsError",
    "ProtocolError",
    "Result",
    "classify",
    "load_protocol",
    "parse_findings",
]
