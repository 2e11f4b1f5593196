"""Government integrity (政务诚信, issue #11 items 1–4): the register of public bodies, civil servants' integrity
files, government contracts, SOE arrears clearing, court enforcement cases against public bodies."""
