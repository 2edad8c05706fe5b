"""Year partitions of the case data (PostgreSQL) and the archive of old years.

``ddl`` holds the SQL (partition names, bounds, building a table partitioned or plain); ``services`` the
operations on it (a new year's partitions, archiving and restoring a year); ``models`` the record of the
archived years. docs/partitioning.md explains the design and the commands.
"""
