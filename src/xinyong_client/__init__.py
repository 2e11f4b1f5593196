"""xinyong-client: what a bank runs against the platform's privacy-preserving queries (PSI, private membership)."""
