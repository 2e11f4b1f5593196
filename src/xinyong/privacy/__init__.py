"""Privacy-preserving credit queries (可用不可见, work-plan item 十二): PSI, private membership queries, the data
sandbox and the federated model."""
