"""Reports: the supply and demand dashboard, its charts and the CSV exports."""
