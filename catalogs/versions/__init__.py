"""Catalog versions (DIP/DRG/APG 目录版本): groups, scores, golden cases, the four-eyes lifecycle, builds from history."""
