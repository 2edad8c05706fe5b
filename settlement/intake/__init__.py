"""Case intake (结算清单导入): the column contract, pure validation, files, services, pages and API.

One validation path for every way in (spreadsheet upload, regional CSV, JSON batch):
``columns`` describes the contract, ``domain`` validates a frame of text cells, ``files`` turns an
uploaded file into that frame safely, ``services`` writes an import batch in one transaction.
"""
