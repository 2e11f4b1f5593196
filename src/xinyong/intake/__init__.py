"""Intake (归集) of departments' data: parse, normalise, validate, verify, load, feedback."""
