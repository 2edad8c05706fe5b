"""Institution coefficients (医疗机构系数): the versioned tables, their four-eyes workflow, pages and Excel."""
