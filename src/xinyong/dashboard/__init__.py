"""The leadership dashboard's figures (领导驾驶舱 / 大屏, issue #12 item 3): ``figures`` (queries and cache),
``config`` (poll interval and the "due soon" horizon as data), ``schemas`` (the JSON shape)."""
