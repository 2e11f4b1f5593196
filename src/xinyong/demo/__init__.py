"""The demo district: a deterministic synthetic Panyu registry at any scale (``xinyong demo``).

``generator`` makes the rows (pure, seeded), ``worker`` runs it in a second process for large loads, ``service``
loads them (``load_demo``), ``names`` holds the name parts. ``records`` adds the district's licence and penalty
records (known shares of late, bad and omitted ones) through the intake pipeline, from the decisions of
``casebook``.
"""
