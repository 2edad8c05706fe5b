"""The coding dictionaries (ICD-10 / ICD-9-CM-3 医保版): the codes in force, their dated versions, Excel."""
