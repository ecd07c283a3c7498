"""Running an intake: the dialog with its sinks (run.py), the journal that makes it
resumable (journal.py), resuming (resume.py), storing it by patient (records.py) and keeping
its answers when something fails (guard.py)."""
