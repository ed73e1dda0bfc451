"""Match runs started by admins, and the history of every run."""
