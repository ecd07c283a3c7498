"""What the assistant writes for people: the report (report.py), the home-exercise sheet
(sheet.py), the terminal screen and the event log (screen.py), and private files (files.py)."""
