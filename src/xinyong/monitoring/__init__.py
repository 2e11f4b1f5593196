"""City credit monitoring (城市信用状况监测预警, issue #12 item 1): indicator models, monthly scores, warnings."""
