"""The KNGF neck-pain guideline: its data files (nekpijn.toml, exercises.toml, followup.toml),
read and validated by the loaders (loader.py with question_loader.py, exercise_loader.py,
followup_data.py; they and tables.py are the only modules here that read a file), and the pure
rules over them (rules.py, plan.py, followup.py: no I/O, no clock)."""

from assistant.protocol.findings import Findings, FindingsError
from assistant.protocol.findings_json import parse_findings
from assistant.protocol.loader import load_protocol
from assistant.protocol.result import Result
from assistant.protocol.rules import classify
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
