"""A minimal analysis package, as CONTRIBUTING.md describes: proves that a new analysis plugs in."""
