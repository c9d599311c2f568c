"""What managers and people are told: digests, drop alerts, App Home's summaries."""
