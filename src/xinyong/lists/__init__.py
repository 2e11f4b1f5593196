"""Dishonesty lists and red lists (失信名单 / 红名单): list types as data, and (later) the listing procedure,
the measures ledger and the joint check. Work-plan items 二, 八 and 十七."""
