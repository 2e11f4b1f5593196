"""Work-plan ledger (工作要点台账): the district plan parsed into items, units by role, progress and notices."""
