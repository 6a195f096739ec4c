"""The rules of Order No. 422 as plain Python, and the pieces every domain package shares."""
