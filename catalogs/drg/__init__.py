"""DRG (CHS-DRG): the rule sets and their four-eyes workflow, the national grouper, weights from history."""
