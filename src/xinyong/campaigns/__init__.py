"""Special campaigns (专项治理, issue #11 item 6) and repeated-violator detection (屡禁不止、屡罚不改)."""
