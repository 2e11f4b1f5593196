"""Credit evaluation (公共信用综合评价, issue #6): models as data, set-based batch scoring, explanations."""
