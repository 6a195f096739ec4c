"""Exam delivery: attempts, the server's clock, append-only answer steps, submission and scoring."""
