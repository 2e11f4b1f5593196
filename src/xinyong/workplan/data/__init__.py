"""Plan texts shipped with the platform: the district's 2021 work plan, a verbatim copy of the customer's
requirements document (``shared/seed/panyu-2021-credit-workplan.txt``), loaded by the demo district and the tests."""

from pathlib import Path

PLAN_2021_FILE = Path(__file__).with_name("panyu-2021-credit-workplan.txt")
