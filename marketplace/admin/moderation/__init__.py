"""Moderation: the queue of proposed matches, approving and rejecting them
(one at a time or in bulk), and the auto-approval policy's settings."""
