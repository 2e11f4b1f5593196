"""Department data-quality scorecards (合规率, 及时率, 完整率, 瞒报) and the reference lists behind omissions."""
