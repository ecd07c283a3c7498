"""The therapist's screen (`assistant ui`): a local web page on 127.0.0.1 that is one more sink
and source on the dialog's event stream (DESIGN.md "The therapist's screen").

page_input.py: what the page says, as a listener; hub.py: the event stream to the pages;
views.py: what the page shows beside each event; engine.py: the intake or session that runs;
records_view.py: patients, history and follow-up; security.py: token, host and CSRF checks;
app.py: the routes; server.py: uvicorn on 127.0.0.1; templates/ and static/: the pages, their
script and style (no build step, nothing from outside the package).
"""
