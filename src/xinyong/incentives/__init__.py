"""Personal honesty incentives (work-plan item 十四): the personal honesty score, scenarios, consent, eligibility."""
