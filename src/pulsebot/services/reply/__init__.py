"""Anonymous replies between a manager and the author of a comment or an idea."""
