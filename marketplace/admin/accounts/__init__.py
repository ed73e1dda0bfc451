"""Accounts: search, verify a producer, suspend and reinstate; takedowns of
listings and orders."""
