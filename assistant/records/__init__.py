"""Patient records for follow-up: where they live (location.py), the store on SQLite or a
practice's PostgreSQL server (store.py and its layers), the practice's roles and access log
(practice.py), the history chart. Nothing is imported here: naming a records file costs no
database library until one is opened."""
