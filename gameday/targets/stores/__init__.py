"""Real data stores (PostgreSQL, MySQL/MariaDB, Redis): writer probes, sentinels and
table checksums over their well-kept client libraries (optional extras)."""
