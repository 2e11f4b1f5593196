"""双随机、一公开: the inspection item library, the inspector pool, plans with per-grade ratios, reproducible
seeded draws, inspector assignment, results, publication, and results flowing back as credit records."""
