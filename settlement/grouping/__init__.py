"""Case grouping (病例分组): every case of a period into a group of the catalog version in force.

``models.py`` holds ``CaseGroup`` (registered by settlement/models.py), ``domain.py`` the pure step from
case frame to stored columns, ``bulk.py`` the bulk writer, ``services.py`` the one write
(``period_group``) and its job, ``selectors.py`` the reads (the version in force, the summary of a
period), ``preview.py`` pre-grouping (预分组: group and estimate cases without storing them, for the API
and the page) and ``views.py`` the summary and pre-grouping pages.
"""
