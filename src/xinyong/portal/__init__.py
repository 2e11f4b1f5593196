"""The public credit portal's own content (门户网站): articles (news, policy, publicity campaigns), the library of
credit innovation cases, and selections of honest enterprises (评选) whose published winners feed the red lists.

design.md's layout has no package for this: it is neither a credit record nor a list, so it lives here rather
than being spread over ``records`` and ``lists``."""
