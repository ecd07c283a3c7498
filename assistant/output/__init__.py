"""What the assistant writes for people: the report (report_content.py what it says,
report_build.py and report_letter.py building it, report_html.py, report_text.py and
report_markdown.py rendering it, report.py writing its files), the home-exercise sheet
(sheet.py), the terminal screen and the event log (screen.py). Private files are written
by assistant/files.py."""
