"""The meeting model, its validation, the SQLite store and the audit log. Imports no other room."""
