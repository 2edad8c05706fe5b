"""Monthly report packs (月度报表) and the download centre (报表中心).

A pack is the month's workbooks of one region: the bureau's workbook (regional summary, every
institution's statement, group-level analysis, supervision findings, data quality, case detail) and
one workbook per institution with only its own figures. Sheets are built by pure functions
(``reports.sheets``) and written in streaming mode (``config.spreadsheets.streamed``); ``reports.services``
generates a pack as a job, on demand or on the 1st of each month (Celery beat, config/celery.py).
"""
