"""Every deal the marketplace made, by status, with both parties' contacts."""
