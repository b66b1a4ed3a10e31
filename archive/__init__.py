"""The count that was: results tables (shared by the board, the CLI and the report sheets), sealing, the signed
report sheets, the verifiable bundle, verify and attach. Reads the store and the tally; never the live server."""
