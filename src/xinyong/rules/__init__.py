"""Rulebooks as data: YAML files beside this module, validated at load, versioned and cited."""
